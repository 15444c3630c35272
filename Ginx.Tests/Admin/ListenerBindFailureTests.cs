using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Ginx.Tests.Admin;

/// <summary>The built proxy, run as a process, when one of its ports is taken: one line naming the address and the setting, exit code 1.</summary>
public sealed class ListenerBindFailureTests
{
    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("Ginx:Admin:Urls", "--Ginx:Admin:Urls", "--urls")]
    [InlineData("--urls", "--urls", "--Ginx:Admin:Urls")]
    public async Task Start_PortTaken_ExitsWithOneLineNamingTheAddressAndTheSetting(string setting, string takenKey, string freeKey)
    {
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        var address = $"http://127.0.0.1:{((IPEndPoint)taken.LocalEndpoint).Port}";

        var (exitCode, output) = await RunProxyAsync($"{takenKey}={address}", $"{freeKey}=http://127.0.0.1:0");

        Assert.Equal(1, exitCode);
        var line = Assert.Single(output);
        Assert.Contains(address, line, StringComparison.Ordinal);
        Assert.Contains("address already in use", line, StringComparison.OrdinalIgnoreCase);
        Assert.Contains(setting, line, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", line, StringComparison.Ordinal);
    }

    /// <summary>Runs the proxy built next to the tests, its logs at Warning, and returns its exit code and every non-empty line it wrote.</summary>
    private static async Task<(int ExitCode, List<string> Output)> RunProxyAsync(params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = AppContext.BaseDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Ginx.Proxy.dll"));
        start.ArgumentList.Add("--Logging:LogLevel:Default=Warning");
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync(Cancellation);
        var stderr = process.StandardError.ReadToEndAsync(Cancellation);
        try
        {
            await process.WaitForExitAsync(Cancellation).WaitAsync(TimeSpan.FromSeconds(60), Cancellation);
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }

        var output = (await stdout + "\n" + await stderr)
            .Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .ToList();
        return (process.ExitCode, output);
    }
}
