using System.Net;
using Ginx.SampleBackend;
using Ginx.Tests.Support;

namespace Ginx.Tests.Management;

public sealed class DrainingTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Stop_RequestInFlight_FinishesBeforeTheProxyExits()
    {
        await using var backend = await InProcessBackend.StartAsync("only", Cancellation);
        await using var proxy = await InProcessProxy.StartAsync(ProxyConfigurations.OneCluster([backend]), Cancellation);

        var inFlight = proxy.Client.GetAsync("/delay/1000", Cancellation);
        await Eventually.HoldsAsync(() => backend.Stats.Snapshot(backend.Name).InFlight == 1, Timeout, "the request reached the backend");
        await proxy.StopAsync(Cancellation);

        using var response = await inFlight;
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Reload_DestinationRemoved_FinishesItsRequestsAndGetsNoNewOnes()
    {
        await using var leaving = await InProcessBackend.StartAsync("a-leaving", Cancellation);
        await using var staying = await InProcessBackend.StartAsync("b-staying", Cancellation);
        await using var proxy = await InProcessProxy.StartAsync(
            ProxyConfigurations.OneCluster([leaving, staying], policy: "FirstAlphabetical"), Cancellation);

        var inFlight = proxy.Client.GetAsync("/delay/1000", Cancellation);
        await Eventually.HoldsAsync(() => leaving.Stats.Snapshot(leaving.Name).InFlight == 1, Timeout, "the request reached the leaving destination");
        Assert.True(await proxy.ReconfigureAsync(ProxyConfigurations.OneCluster([staying], policy: "FirstAlphabetical"), Cancellation));

        using var drained = await inFlight;
        using var next = await proxy.Client.GetAsync("/", Cancellation);

        Assert.Equal(HttpStatusCode.OK, drained.StatusCode);
        Assert.Equal("a-leaving", Assert.Single(drained.Headers.GetValues(ReplicaIdentity.HeaderName)));
        Assert.Equal("b-staying", Assert.Single(next.Headers.GetValues(ReplicaIdentity.HeaderName)));
    }
}
