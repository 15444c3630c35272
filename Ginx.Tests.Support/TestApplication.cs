using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;

namespace Ginx.Tests.Support;

/// <summary>
/// Builds a Ginx application for in-process tests: Kestrel on a free loopback port, an empty
/// content root (so no project's appsettings.json leaks in) and a JSON configuration file the test
/// owns and may rewrite to exercise reloads.
/// </summary>
internal static class TestApplication
{
    public static WebApplicationBuilder CreateBuilder(JsonObject configuration, out string configurationFile)
    {
        var root = Directory.CreateTempSubdirectory("ginx-test-");
        configurationFile = Path.Combine(root.FullName, "settings.json");
        File.WriteAllText(configurationFile, WithQuietLogging(configuration).ToJsonString());

        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            ContentRootPath = root.FullName,
            EnvironmentName = "Testing",
        });
        builder.Configuration.AddJsonFile(configurationFile, optional: false, reloadOnChange: true);
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        return builder;
    }

    public static Uri Address(WebApplication app) => new(app.Urls.Single());

    public static void DeleteContentRoot(string configurationFile) =>
        Directory.Delete(Path.GetDirectoryName(configurationFile)!, recursive: true);

    private static JsonObject WithQuietLogging(JsonObject configuration)
    {
        var copy = configuration.DeepClone().AsObject();
        copy["Logging"] ??= JsonNode.Parse("""{ "LogLevel": { "Default": "Warning" } }""");
        return copy;
    }
}
