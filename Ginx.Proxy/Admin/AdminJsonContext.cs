using System.Text.Json;
using System.Text.Json.Serialization;

namespace Ginx.Proxy.Admin;

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(ProxyStatusReport))]
internal sealed partial class AdminJsonContext : JsonSerializerContext;
