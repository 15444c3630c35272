using System.Text.Json.Nodes;
using Ginx.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace Ginx.Tests.NginxConf;

/// <summary>The real proxy application started from an nginx configuration file the test writes, and may rewrite.</summary>
internal sealed class NginxConfProxy : IAsyncDisposable
{
    private readonly DirectoryInfo _directory;

    private NginxConfProxy(InProcessProxy proxy, DirectoryInfo directory, string path)
    {
        Proxy = proxy;
        _directory = directory;
        Path = path;
    }

    public InProcessProxy Proxy { get; }

    /// <summary>The nginx configuration file.</summary>
    public string Path { get; }

    /// <summary>Writes <paramref name="nginxConf"/> to a file of its own and starts the proxy with <c>Ginx:NginxConf</c> naming it.</summary>
    public static async Task<NginxConfProxy> StartAsync(string nginxConf, CancellationToken cancellationToken, Action<IServiceCollection>? configureServices = null)
    {
        var directory = Directory.CreateTempSubdirectory("ginx-nginx-conf-");
        var path = System.IO.Path.Combine(directory.FullName, "nginx.conf");
        await File.WriteAllTextAsync(path, nginxConf, cancellationToken);
        try
        {
            var proxy = await InProcessProxy.StartAsync(new JsonObject { ["Ginx"] = new JsonObject { ["NginxConf"] = path } }, cancellationToken, configureServices);
            return new NginxConfProxy(proxy, directory, path);
        }
        catch
        {
            directory.Delete(recursive: true);
            throw;
        }
    }

    /// <summary>Replaces the file in one rename, as an operator's editor or deployment would.</summary>
    public async Task RewriteAsync(string nginxConf, CancellationToken cancellationToken)
    {
        var staged = Path + ".new";
        await File.WriteAllTextAsync(staged, nginxConf, cancellationToken);
        File.Move(staged, Path, overwrite: true);
    }

    /// <summary>
    /// An nginx file with one upstream of <paramref name="servers"/> behind <c>location /</c>. Line 4
    /// opens the upstream, line 5 holds <paramref name="upstreamExtra"/>, the servers follow from line 6.
    /// </summary>
    public static string NginxFile(IEnumerable<string> servers, string upstreamExtra = "", string locationExtra = "")
    {
        List<string> lines = ["events {}", "", "http {", "    upstream backend {", $"        {upstreamExtra}"];
        lines.AddRange(servers.Select(server => $"        server {server};"));
        lines.AddRange(["    }", "", "    server {", "        location / {", "            proxy_pass http://backend;", $"            {locationExtra}", "        }", "    }", "}"]);
        return string.Join('\n', lines) + "\n";
    }

    /// <summary>The <c>host:port</c> of <paramref name="backend"/>, as an upstream server line names it.</summary>
    public static string Address(InProcessBackend backend) => backend.Address.Authority;

    public async ValueTask DisposeAsync()
    {
        await Proxy.DisposeAsync();
        _directory.Delete(recursive: true);
    }
}
