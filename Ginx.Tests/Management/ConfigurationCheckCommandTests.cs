using System.Net;
using System.Net.Sockets;
using Ginx.Tests.Support;

namespace Ginx.Tests.Management;

/// <summary><c>--check</c> on the built proxy, run as a process: every problem or "configuration OK", exit 1 or 0, nothing bound.</summary>
public sealed class ConfigurationCheckCommandTests
{
    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Check_ValidConfigurationWhileItsPortsAreTaken_SaysOkWithoutBinding()
    {
        // Held by the test: a proxy that tried to listen would fail to bind them, and exit 1.
        using var publicPort = TakePort(out var publicAddress);
        using var adminPort = TakePort(out var adminAddress);

        var (exitCode, output) = await ProxyProcess.RunAsync(Cancellation, "--check", $"--urls={publicAddress}", $"--Ginx:Admin:Urls={adminAddress}");

        Assert.Equal(0, exitCode);
        Assert.Equal("configuration OK", Assert.Single(output));
    }

    [Theory]
    [InlineData("--ReverseProxy:Clusters:backend:Destinations:backend-1:Address=localhost-5081",
        "ReverseProxy:Clusters:backend:Destinations:backend-1:Address = 'localhost-5081' is not an absolute address")]
    [InlineData("--Ginx:Retries:Tries=0", "Ginx:Retries:Tries = '0'")]
    public async Task Check_InvalidSetting_ExitsOneNamingTheKey(string argument, string problem)
    {
        using var publicPort = TakePort(out var publicAddress);

        var (exitCode, output) = await ProxyProcess.RunAsync(Cancellation, "--check", argument, $"--urls={publicAddress}", "--Ginx:Admin:Urls=http://127.0.0.1:0");

        Assert.Equal(1, exitCode);
        Assert.Contains(output, line => line.Contains(problem, StringComparison.Ordinal));
        Assert.DoesNotContain("configuration OK", output);
        Assert.DoesNotContain(output, line => line.StartsWith("at ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Check_UnparsableJsonFile_ExitsOneWithOneLineNamingTheFile()
    {
        var directory = Directory.CreateTempSubdirectory("ginx-check-");
        try
        {
            var file = Path.Combine(directory.FullName, "appsettings.json");
            await File.WriteAllTextAsync(file, """{ "ReverseProxy": { "Routes": """, Cancellation);

            var (exitCode, output) = await ProxyProcess.RunAsync(Cancellation, "--check", $"--contentRoot={directory.FullName}", "--Ginx:Admin:Urls=http://127.0.0.1:0");

            Assert.Equal(1, exitCode);
            var line = Assert.Single(output);
            Assert.Contains(file, line, StringComparison.Ordinal);
            Assert.Contains("LineNumber", line, StringComparison.Ordinal);
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    private static TcpListener TakePort(out string address)
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        address = $"http://127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}";
        return listener;
    }
}
