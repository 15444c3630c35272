using System.Net;
using System.Net.Sockets;
using Ginx.Tests.Support;

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

        var (exitCode, output) = await ProxyProcess.RunAsync(Cancellation, $"{takenKey}={address}", $"{freeKey}=http://127.0.0.1:0");

        Assert.Equal(1, exitCode);
        var line = Assert.Single(output);
        Assert.Contains(address, line, StringComparison.Ordinal);
        Assert.Contains("address already in use", line, StringComparison.OrdinalIgnoreCase);
        Assert.Contains(setting, line, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", line, StringComparison.Ordinal);
    }
}
