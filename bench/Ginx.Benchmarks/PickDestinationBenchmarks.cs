using System.Globalization;
using BenchmarkDotNet.Attributes;
using Ginx.Proxy.LoadBalancing;
using Ginx.Proxy.Upstream;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.LoadBalancing;
using Yarp.ReverseProxy.Model;

namespace Ginx.Benchmarks;

/// <summary>
/// One pick of every policy, Ginx's and YARP's, over 3, 100 and 1,000 destinations with mixed weights, with
/// YARP's RoundRobin as the baseline. The policies come from the proxy's own registrations; the
/// cluster state is built the way YARP publishes it, so cached per-cluster state is what is measured.
/// </summary>
[MemoryDiagnoser]
public class PickDestinationBenchmarks
{
    private ServiceProvider _services = null!;
    private ILoadBalancingPolicy _yarpRoundRobin = null!;
    private ILoadBalancingPolicy _yarpPowerOfTwoChoices = null!;
    private ILoadBalancingPolicy _yarpLeastRequests = null!;
    private ILoadBalancingPolicy _yarpRandom = null!;
    private ILoadBalancingPolicy _weightedRoundRobin = null!;
    private ILoadBalancingPolicy _weightedLeastRequests = null!;
    private ILoadBalancingPolicy _consistentHash = null!;
    private ILoadBalancingPolicy _peakEwma = null!;
    private ClusterState _cluster = null!;
    private IReadOnlyList<DestinationState> _available = null!;
    private ClusterState _busyCluster = null!;
    private DefaultHttpContext _context = null!;

    [Params(3, 100, 1000)]
    public int Destinations { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var services = new ServiceCollection().AddLogging();
        services.AddReverseProxy().AddGinxLoadBalancing();
        _services = services.BuildServiceProvider();
        var policies = _services.GetServices<ILoadBalancingPolicy>().ToDictionary(policy => policy.Name, StringComparer.OrdinalIgnoreCase);
        _yarpRoundRobin = policies[LoadBalancingPolicies.RoundRobin];
        _yarpPowerOfTwoChoices = policies[LoadBalancingPolicies.PowerOfTwoChoices];
        _yarpLeastRequests = policies[LoadBalancingPolicies.LeastRequests];
        _yarpRandom = policies[LoadBalancingPolicies.Random];
        _weightedRoundRobin = policies[GinxLoadBalancingPolicies.WeightedRoundRobin];
        _weightedLeastRequests = policies[GinxLoadBalancingPolicies.WeightedLeastRequests];
        _consistentHash = policies[GinxLoadBalancingPolicies.ConsistentHash];
        _peakEwma = policies[GinxLoadBalancingPolicies.PeakEwma];

        _cluster = CreateCluster("bench", busy: false);
        _available = _cluster.DestinationsState.AvailableDestinations;
        _busyCluster = CreateCluster("busy", busy: true);
        _context = new DefaultHttpContext();
        _context.Request.Headers["X-User"] = "user-4242";
    }

    /// <summary>
    /// A cluster of <see cref="Destinations"/> with weights 1, 2, 3, 1, …, every one available and
    /// measured; when <paramref name="busy"/>, each has 1 to 4 requests in flight, so a least-requests
    /// scan cannot stop at an idle destination and reads them all. Measured once, here, all at one
    /// moment: a case lasts seconds, well within <see cref="PeakEwmaLoadBalancingPolicy.StaleAfter"/>,
    /// so <c>PeakEwma</c> compares estimates it still trusts, sampled close together as on a busy
    /// cluster (1,000 destinations recorded one after the other spread over more than the half
    /// millisecond within which it compares samples as they are, and half its picks went out of line).
    /// </summary>
    private ClusterState CreateCluster(string id, bool busy)
    {
        var config = new ClusterConfig
        {
            ClusterId = id,
            Metadata = new Dictionary<string, string> { [HashKey.MetadataKey] = "header:X-User" },
        };
#pragma warning disable CA2000 // Owned by the cluster model for the whole run.
        var cluster = new ClusterState(config.ClusterId, new ClusterModel(config, new HttpMessageInvoker(new SocketsHttpHandler())));
#pragma warning restore CA2000
        var destinations = new DestinationState[Destinations];
        var time = TimeProvider.System;
        var measured = time.GetTimestamp();
        for (var i = 0; i < destinations.Length; i++)
        {
            var destinationId = $"{id}-{i}";
            destinations[i] = new DestinationState(destinationId, new DestinationModel(new DestinationConfig
            {
                Address = $"http://{destinationId}.test",
                Metadata = new Dictionary<string, string> { ["Weight"] = (1 + (i % 3)).ToString(CultureInfo.InvariantCulture) },
            }));
            cluster.Destinations[destinationId] = destinations[i];
            var runtime = DestinationRuntime.Of(destinations[i]);
            runtime.RecordLatency(TimeSpan.FromMilliseconds(1 + i), load: 1, failed: false, measured, time);
            for (var inFlight = busy ? 1 + (i % 4) : 0; inFlight > 0; inFlight--)
            {
                runtime.TryReserve(DestinationSettings.Unlimited, measured);
                destinations[i].ConcurrentRequestCount++;
            }
        }

        cluster.DestinationsState = new ClusterDestinationsState(destinations, destinations);
        return cluster;
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _cluster.Model.HttpClient.Dispose();
        _busyCluster.Model.HttpClient.Dispose();
        _services.Dispose();
    }

    [Benchmark(Baseline = true)]
    public DestinationState? YarpRoundRobin() => Pick(_yarpRoundRobin);

    [Benchmark]
    public DestinationState? YarpPowerOfTwoChoices() => Pick(_yarpPowerOfTwoChoices);

    [Benchmark]
    public DestinationState? YarpLeastRequests() => Pick(_yarpLeastRequests);

    [Benchmark]
    public DestinationState? YarpRandom() => Pick(_yarpRandom);

    [Benchmark]
    public DestinationState? WeightedRoundRobin() => Pick(_weightedRoundRobin);

    [Benchmark]
    public DestinationState? WeightedLeastRequests() => Pick(_weightedLeastRequests);

    [Benchmark]
    public DestinationState? ConsistentHash() => Pick(_consistentHash);

    [Benchmark]
    public DestinationState? PeakEwma() => Pick(_peakEwma);

    [Benchmark]
    public DestinationState? YarpLeastRequestsBusy() => _yarpLeastRequests.PickDestination(_context, _busyCluster, _busyCluster.DestinationsState.AvailableDestinations);

    [Benchmark]
    public DestinationState? WeightedLeastRequestsBusy() => _weightedLeastRequests.PickDestination(_context, _busyCluster, _busyCluster.DestinationsState.AvailableDestinations);

    private DestinationState? Pick(ILoadBalancingPolicy policy) => policy.PickDestination(_context, _cluster, _available);
}
