using System.Net;
using Ginx.SampleBackend;
using Ginx.Tests.Support;

namespace Ginx.Tests.Admin;

/// <summary>The admin listener serves the admin endpoints, not the proxy: opening it to a monitoring network opens nothing else.</summary>
public sealed class AdminListenerScopeTests
{
    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task AdminListener_ProxiedPathOrMethod_Is404NoRoute_WhileStatusAndHealthAreServed_AndThePublicListenerStillProxies()
    {
        await using var backend = await InProcessBackend.StartAsync("s-1", Cancellation);
        await using var proxy = await InProcessProxy.StartAsync(
            ClusterConfiguration.RoundRobin("scope", (backend.Name, backend.Address)), Cancellation);
        using var admin = new HttpClient { BaseAddress = proxy.AdminAddress };

        using (var proxied = await admin.GetAsync("/", Cancellation))
        {
            await ProblemAssert.IsProblemAsync(proxied, HttpStatusCode.NotFound);
            Assert.False(proxied.Headers.Contains(ReplicaIdentity.HeaderName), "the admin listener forwarded the request");
        }

        // Only the proxy route takes a POST to an admin path, and it is not served here.
        using (var post = await admin.PostAsync("/ginx/status", new StringContent("x"), Cancellation))
        {
            await ProblemAssert.IsProblemAsync(post, HttpStatusCode.NotFound);
            Assert.False(post.Headers.Contains(ReplicaIdentity.HeaderName), "the admin listener forwarded the request");
        }

        using (var status = await admin.GetAsync("/ginx/status", Cancellation))
        {
            Assert.Equal(HttpStatusCode.OK, status.StatusCode);
        }

        using (var health = await admin.GetAsync("/alive", Cancellation))
        {
            Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        }

        using var ordinary = await proxy.Client.GetAsync("/", Cancellation);
        Assert.Equal(HttpStatusCode.OK, ordinary.StatusCode);
        Assert.Equal(backend.Name, Assert.Single(ordinary.Headers.GetValues(ReplicaIdentity.HeaderName)));
    }
}
