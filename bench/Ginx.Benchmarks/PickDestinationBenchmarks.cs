using System.Globalization;
using BenchmarkDotNet.Attributes;
using Ginx.Proxy.LoadBalancing;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.LoadBalancing;
using Yarp.ReverseProxy.Model;

namespace Ginx.Benchmarks;

/// <summary>
/// One pick of every policy, Ginx's and YARP's, over 3 and 100 destinations with mixed weights, with
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
    private DefaultHttpContext _context = null!;

    [Params(3, 100)]
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

        var config = new ClusterConfig
        {
            ClusterId = "bench",
            Metadata = new Dictionary<string, string> { [HashKey.MetadataKey] = "header:X-User" },
        };
#pragma warning disable CA2000 // Owned by the cluster model for the whole run.
        _cluster = new ClusterState(config.ClusterId, new ClusterModel(config, new HttpMessageInvoker(new SocketsHttpHandler())));
#pragma warning restore CA2000
        var destinations = new DestinationState[Destinations];
        var time = TimeProvider.System;
        for (var i = 0; i < destinations.Length; i++)
        {
            var id = $"d-{i}";
            destinations[i] = new DestinationState(id, new DestinationModel(new DestinationConfig
            {
                Address = $"http://{id}.test",
                Metadata = new Dictionary<string, string> { ["Weight"] = (1 + (i % 3)).ToString(CultureInfo.InvariantCulture) },
            }));
            _cluster.Destinations[id] = destinations[i];
            DestinationRuntime.Of(destinations[i]).RecordLatency(TimeSpan.FromMilliseconds(1 + i), time.GetTimestamp(), time);
        }

        _available = destinations;
        _cluster.DestinationsState = new ClusterDestinationsState(destinations, destinations);
        _context = new DefaultHttpContext();
        _context.Request.Headers["X-User"] = "user-4242";
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _cluster.Model.HttpClient.Dispose();
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

    private DestinationState? Pick(ILoadBalancingPolicy policy) => policy.PickDestination(_context, _cluster, _available);
}
