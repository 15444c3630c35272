namespace Ginx.Proxy.Management;

/// <summary>
/// A JSON configuration file that cannot be read at start-up, as one line naming the file and what
/// is wrong in it: the host's own exception says the file, the ones it wraps the reason, the line and the position.
/// </summary>
internal static class ConfigurationFileFailure
{
    /// <summary>Whether <paramref name="exception"/> is a configuration file failing to load.</summary>
    public static bool Is(Exception exception) => exception is InvalidDataException;

    /// <summary>The one line that says which file and why.</summary>
    public static string Describe(Exception exception)
    {
        var reasons = new List<string>();
        for (Exception? current = exception; current is not null; current = current.InnerException)
        {
            reasons.Add(current.Message.TrimEnd('.'));
        }

        return $"Ginx cannot start: {string.Join(": ", reasons)}.";
    }
}
