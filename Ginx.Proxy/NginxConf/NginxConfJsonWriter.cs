using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using Ginx.Proxy.Configuration;

namespace Ginx.Proxy.NginxConf;

/// <summary>
/// Writes a translation's keys (<see cref="NginxConfTranslation.Keys"/>, the ones the configuration
/// provider serves) as the <c>appsettings.json</c> a user would write by hand:
/// <c>{ "ReverseProxy": …, "Ginx": …, "urls": … }</c>, keys in the order they were translated,
/// lists (<c>Hosts</c>, <c>Transforms</c>) as arrays. Every value is a string, as configuration
/// holds them.
/// </summary>
public static class NginxConfJsonWriter
{
    /// <summary>The JSON, indented, ending with a newline.</summary>
    public static string Write(NginxConfTranslation translation)
    {
        var root = new Node();
        foreach (var (key, value) in translation.Keys(ProxyConfigurationSection.Default))
        {
            root.Add(key.Split(':'), value);
        }

        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            root.WriteTo(writer);
        }

        return System.Text.Encoding.UTF8.GetString(stream.ToArray()) + "\n";
    }

    private sealed class Node
    {
        private readonly List<(string Key, Node Child)> _children = [];
        private string? _value;

        public void Add(ReadOnlySpan<string> path, string value)
        {
            if (path.IsEmpty)
            {
                _value = value;
                return;
            }

            var key = path[0];
            var index = _children.FindIndex(child => child.Key == key);
            if (index < 0)
            {
                _children.Add((key, new Node()));
                index = _children.Count - 1;
            }

            _children[index].Child.Add(path[1..], value);
        }

        public void WriteTo(Utf8JsonWriter writer)
        {
            if (_children.Count == 0)
            {
                writer.WriteStringValue(_value);
                return;
            }

            var isList = _children.Select((child, i) => child.Key == i.ToString(CultureInfo.InvariantCulture)).All(matches => matches);
            if (isList)
            {
                writer.WriteStartArray();
                _children.ForEach(child => child.Child.WriteTo(writer));
                writer.WriteEndArray();
                return;
            }

            writer.WriteStartObject();
            foreach (var (key, child) in _children)
            {
                writer.WritePropertyName(key);
                child.WriteTo(writer);
            }

            writer.WriteEndObject();
        }
    }
}
