using System.Diagnostics.CodeAnalysis;
using System.Diagnostics.Metrics;
using Ginx.Proxy.Telemetry;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Yarp.ReverseProxy;
using Yarp.ReverseProxy.Model;

namespace Ginx.Tests.Support;

/// <summary>Ginx's metrics for a component driven directly, outside a proxy: no proxy state to observe.</summary>
internal static class StandaloneProxyMetrics
{
    public static ProxyMetrics Create()
    {
        var services = new ServiceCollection().AddMetrics().AddSingleton<IProxyStateLookup, NoProxyState>().BuildServiceProvider();
        return new ProxyMetrics(services.GetRequiredService<IMeterFactory>(), services, new DestinationCounters(TimeProvider.System), TimeProvider.System, NullLogger<ProxyMetrics>.Instance);
    }

    private sealed class NoProxyState : IProxyStateLookup
    {
        public bool TryGetRoute(string id, [NotNullWhen(true)] out RouteModel? route) => (route = null) is not null;

        public IEnumerable<RouteModel> GetRoutes() => [];

        public bool TryGetCluster(string id, [NotNullWhen(true)] out ClusterState? cluster) => (cluster = null) is not null;

        public IEnumerable<ClusterState> GetClusters() => [];
    }
}
