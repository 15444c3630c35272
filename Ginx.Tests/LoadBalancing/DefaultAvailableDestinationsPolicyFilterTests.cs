using Ginx.Proxy.LoadBalancing;
using Yarp.ReverseProxy.Configuration;

namespace Ginx.Tests.LoadBalancing;

public sealed class DefaultAvailableDestinationsPolicyFilterTests
{
    private readonly DefaultAvailableDestinationsPolicyFilter _filter = new();

    [Fact]
    public async Task ConfigureCluster_NoPolicyNamed_GetsPrimaryBackupOrPanic()
    {
        var cluster = await _filter.ConfigureClusterAsync(new ClusterConfig
        {
            ClusterId = "c",
            HealthCheck = new HealthCheckConfig { Active = new ActiveHealthCheckConfig { Enabled = true } },
        }, TestContext.Current.CancellationToken);

        Assert.Equal(GinxAvailableDestinationsPolicies.PrimaryBackupOrPanic, cluster.HealthCheck?.AvailableDestinationsPolicy);
        Assert.True(cluster.HealthCheck?.Active?.Enabled);
    }

    [Fact]
    public async Task ConfigureCluster_PolicyNamed_KeepsIt()
    {
        var cluster = await _filter.ConfigureClusterAsync(new ClusterConfig
        {
            ClusterId = "c",
            HealthCheck = new HealthCheckConfig { AvailableDestinationsPolicy = "HealthyAndUnknown" },
        }, TestContext.Current.CancellationToken);

        Assert.Equal("HealthyAndUnknown", cluster.HealthCheck?.AvailableDestinationsPolicy);
    }
}
