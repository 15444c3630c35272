using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using Ginx.Proxy.Upstream;
using Ginx.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;
using Yarp.ReverseProxy;
using Yarp.ReverseProxy.Forwarder;
using Yarp.ReverseProxy.Health;
using Yarp.ReverseProxy.Model;

namespace Ginx.Tests.LoadBalancing;

/// <summary>
/// A destination whose last connection was refused is tried again only now and then, one request
/// at a time: a dead cluster is answered at once instead of each request paying a connection
/// attempt on each dead destination, and a destination that comes back is found within a second.
/// </summary>
public sealed class RefusingDestinationsTests
{
    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task EveryDestinationRefusing_AnsweredAtOnce_EachTriedOncePerInterval_OneThatReturnsIsServedWithinASecond()
    {
        var time = new FakeTimeProvider();
        var ports = Enumerable.Range(0, 3).Select(_ => FreePort()).ToArray();
        var connects = new ConnectCountingClientFactory();
        var configuration = ProxyConfigurations.CatchAll("backend", new JsonObject
        {
            ["LoadBalancingPolicy"] = "RoundRobin",
            ["Destinations"] = ProxyConfigurations.Destinations(
                ports.Select((port, i) => ($"d-{i}", new Uri($"http://127.0.0.1:{port}/")))),
        });
        await using var proxy = await InProcessProxy.StartAsync(configuration, Cancellation, services => services
            .AddSingleton<TimeProvider>(time)
            .AddSingleton<IForwarderHttpClientFactory>(connects));

        // The first request learns that each refuses.
        await AssertNoDestinationAsync(proxy.Client);
        Assert.Equal(3, connects.Count);

        // Known dead: answered without a connection attempt until a trial is due…
        for (var i = 0; i < 20; i++)
        {
            await AssertNoDestinationAsync(proxy.Client);
        }

        Assert.Equal(3, connects.Count);

        // …then one request tries each again (its retries the others), and the rest are answered at once.
        time.Advance(DestinationRuntime.RefusingTrialInterval);
        for (var i = 0; i < 20; i++)
        {
            await AssertNoDestinationAsync(proxy.Client);
        }

        Assert.Equal(6, connects.Count);

        using var returned = RawHttpDestination.Start(ports[2]);
        var waited = TimeSpan.Zero;
        while (true)
        {
            time.Advance(DestinationRuntime.RefusingTrialInterval);
            waited += DestinationRuntime.RefusingTrialInterval;
            using var response = await proxy.Client.GetAsync("/", Cancellation);
            if (response.StatusCode == HttpStatusCode.OK)
            {
                break;
            }

            Assert.True(waited < TimeSpan.FromSeconds(1), $"The returned destination was not served within {waited}.");
        }

        // Served at once from then on; the two still dead see at most the one trial each was due.
        var deadBefore = connects.To(ports[0]) + connects.To(ports[1]);
        for (var i = 0; i < 20; i++)
        {
            using var response = await proxy.Client.GetAsync("/", Cancellation);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        Assert.InRange(connects.To(ports[0]) + connects.To(ports[1]) - deadBefore, 0, 2);
    }

    [Fact]
    public async Task EveryDestinationKnownRefusing_AnsweredWithoutALogLinePerRequest()
    {
        var configuration = ProxyConfigurations.CatchAll("backend", new JsonObject
        {
            ["LoadBalancingPolicy"] = "RoundRobin",
            ["Destinations"] = ProxyConfigurations.Destinations(
                Enumerable.Range(0, 3).Select(i => ($"d-{i}", new Uri($"http://127.0.0.1:{FreePort()}/")))),
        });
        await using var proxy = await InProcessProxy.StartAsync(configuration, Cancellation, services => services
            .AddSingleton<TimeProvider>(new FakeTimeProvider())
            .AddLogging(logging => logging.AddFakeLogging()));
        var logs = proxy.Services.GetFakeLogCollector();

        // The first request learns that each refuses (and may say so, as its passive health marks
        // land); those after it are answered at once.
        await AssertNoDestinationAsync(proxy.Client);
        var state = proxy.Services.GetRequiredService<IProxyStateLookup>();
        await Eventually.HoldsAsync(
            () => state.TryGetCluster("backend", out var cluster)
                && cluster.Destinations.Values.All(destination => destination.Health.Passive == DestinationHealth.Unhealthy),
            TimeSpan.FromSeconds(10), "the first request's failures marked every destination");

        // A mark is set before the available set is recomputed and its change logged, on the thread
        // that marked it: recomputed here too, every change the marks made is logged before the count.
        Assert.True(state.TryGetCluster("backend", out var marked));
        proxy.Services.GetRequiredService<IClusterDestinationsUpdater>().UpdateAvailableDestinations(marked);
        var before = logs.GetSnapshot().Count(record => record.Level >= LogLevel.Information);
        for (var i = 0; i < 20; i++)
        {
            await AssertNoDestinationAsync(proxy.Client);
        }

        var perRequest = logs.GetSnapshot().Where(record => record.Level >= LogLevel.Information).Skip(before).ToList();
        Assert.True(perRequest.Count == 0, "Logged per request: " + string.Join("; ", perRequest.Select(r => $"{r.Category}: {r.Message}").Distinct()));
    }

    private static async Task AssertNoDestinationAsync(HttpClient client)
    {
        using var response = await client.GetAsync("/", Cancellation);
        var problem = await ProblemAssert.IsProblemAsync(response, HttpStatusCode.ServiceUnavailable);
        Assert.Equal("No destination available", problem.GetProperty("title").GetString());
        Assert.NotNull(response.Headers.RetryAfter);
    }

    // A port nothing listens on: connections to it are refused.
    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>The forwarder's own client, counting every connection it opens to a destination.</summary>
    private sealed class ConnectCountingClientFactory : ForwarderHttpClientFactory
    {
        private readonly ConcurrentDictionary<int, int> _byPort = new();

        public int Count => _byPort.Values.Sum();

        public int To(int port) => _byPort.GetValueOrDefault(port);

        protected override void ConfigureHandler(ForwarderHttpClientContext context, SocketsHttpHandler handler)
        {
            base.ConfigureHandler(context, handler);
            handler.ConnectCallback = async (connection, cancellationToken) =>
            {
                _byPort.AddOrUpdate(connection.DnsEndPoint.Port, 1, static (_, count) => count + 1);
                var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                try
                {
                    await socket.ConnectAsync(connection.DnsEndPoint, cancellationToken);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            };
        }
    }
}
