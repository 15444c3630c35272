using System.Text.Json.Nodes;
using Ginx.Proxy.Configuration;
using Ginx.Proxy.Memory;
using Ginx.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Ginx.Tests.Memory;

/// <summary>Idle compaction: once, when a period was quiet and the heap grew enough since the last one; never while allocating.</summary>
public sealed class IdleCompactionTests
{
    private const long Megabyte = 1024 * 1024;
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public void LookAtHeap_QuietAfterGrowth_CompactsOnce()
    {
        var heap = new FakeHeap(committedMegabytes: 10);
        var compaction = Compaction(heap);

        heap.Allocate(500 * Megabyte, committedMegabytes: 100);
        Assert.False(compaction.LookAtHeap());

        heap.Allocate(100 * 1024, committedMegabytes: 100);
        Assert.True(compaction.LookAtHeap());
        Assert.Equal(1, heap.Compactions);

        heap.Allocate(100 * 1024, committedMegabytes: heap.CommittedBytes / Megabyte);
        Assert.False(compaction.LookAtHeap());
        Assert.Equal(1, heap.Compactions);
    }

    [Fact]
    public void LookAtHeap_WhileAllocating_NeverCompacts()
    {
        var heap = new FakeHeap(committedMegabytes: 10);
        var compaction = Compaction(heap);

        for (var period = 0; period < 5; period++)
        {
            heap.Allocate(2 * Megabyte, committedMegabytes: 100);
            Assert.False(compaction.LookAtHeap());
        }

        Assert.Equal(0, heap.Compactions);
    }

    [Fact]
    public void LookAtHeap_QuietWithLessGrowthThanTheMinimum_DoesNotCompact()
    {
        var heap = new FakeHeap(committedMegabytes: 10);
        var compaction = Compaction(heap, minGrowthMegabytes: 16);

        heap.Allocate(0, committedMegabytes: 25);

        Assert.False(compaction.LookAtHeap());
        Assert.Equal(0, heap.Compactions);
    }

    [Fact]
    public void LookAtHeap_AfterACompaction_CountsGrowthFromTheCompactedHeap()
    {
        var heap = new FakeHeap(committedMegabytes: 10, liveMegabytes: 80);
        var compaction = Compaction(heap, minGrowthMegabytes: 16);
        heap.Allocate(0, committedMegabytes: 120);
        Assert.True(compaction.LookAtHeap());

        heap.Allocate(0, committedMegabytes: 90);
        Assert.False(compaction.LookAtHeap());

        heap.Allocate(0, committedMegabytes: 96);
        Assert.True(compaction.LookAtHeap());
        Assert.Equal(2, heap.Compactions);
    }

    [Fact]
    public async Task Proxy_QuietPeriodsPassAfterGrowth_CompactsTheHeap()
    {
        var heap = new FakeHeap(committedMegabytes: 10);
        var clock = new FakeTimeProvider();
        await using var proxy = await InProcessProxy.StartAsync(Configuration("QuietPeriod", "00:00:02"), Cancellation, services => services
            .AddSingleton<IManagedHeap>(heap)
            .AddSingleton<TimeProvider>(clock));

        heap.Allocate(0, committedMegabytes: 100);
        await Eventually.HoldsAsync(() =>
        {
            clock.Advance(TimeSpan.FromSeconds(2));
            return heap.Compactions == 1;
        }, Timeout, "the proxy compacts its heap once quiet after growth");
    }

    [Fact]
    public async Task Proxy_Disabled_NeverLooksAtTheHeap()
    {
        var heap = new FakeHeap(committedMegabytes: 10);
        await using var proxy = await InProcessProxy.StartAsync(Configuration("Enabled", "false"), Cancellation, services => services.AddSingleton<IManagedHeap>(heap));

        var service = proxy.Services.GetServices<IHostedService>().OfType<IdleCompaction>().Single();

        Assert.True(service.ExecuteTask?.IsCompletedSuccessfully, "the disabled compaction ends at start, with no timer left to look at the heap");
    }

    [Theory]
    [InlineData("QuietPeriod", "00:00:00.5", "Ginx:IdleCompaction:QuietPeriod = '00:00:00.5'")]
    [InlineData("QuietPeriod", "02:00:00", "Ginx:IdleCompaction:QuietPeriod = '02:00:00'")]
    [InlineData("MinGrowthMegabytes", "0", "Ginx:IdleCompaction:MinGrowthMegabytes = '0'")]
    [InlineData("QuietAllocationKilobytes", "-1", "Ginx:IdleCompaction:QuietAllocationKilobytes = '-1'")]
    public async Task Start_SettingOutOfRange_FailsNamingTheKeyAndValue(string key, string value, string problem)
    {
        var exception = await Assert.ThrowsAsync<ProxyConfigurationException>(() => InProcessProxy.StartAsync(Configuration(key, value), Cancellation));

        Assert.Contains(problem, Assert.Single(exception.Problems), StringComparison.Ordinal);
    }

    /// <summary>A proxy of one cluster, with one idle compaction setting.</summary>
    private static JsonObject Configuration(string key, string value)
    {
        var configuration = ClusterConfiguration.RoundRobin("idle", ("one", new Uri("http://127.0.0.1:1")));
        configuration["Ginx"] = new JsonObject { ["IdleCompaction"] = new JsonObject { [key] = value } };
        return configuration;
    }

    private static IdleCompaction Compaction(FakeHeap heap, int minGrowthMegabytes = 16) =>
        new(heap, Options.Create(new IdleCompactionOptions { MinGrowthMegabytes = minGrowthMegabytes }), TimeProvider.System, NullLogger<IdleCompaction>.Instance);

    /// <summary>A heap whose allocations and committed memory the test sets; a compaction leaves the live megabytes committed.</summary>
    private sealed class FakeHeap(long committedMegabytes, long liveMegabytes = 20) : IManagedHeap
    {
        private long _allocated;
        private long _committed = committedMegabytes * Megabyte;
        private int _compactions;

        public long AllocatedBytes => Interlocked.Read(ref _allocated);

        public long CommittedBytes => Interlocked.Read(ref _committed);

        public int Compactions => Volatile.Read(ref _compactions);

        public void Allocate(long bytes, long committedMegabytes)
        {
            Interlocked.Add(ref _allocated, bytes);
            Interlocked.Exchange(ref _committed, committedMegabytes * Megabyte);
        }

        public void Compact()
        {
            Interlocked.Exchange(ref _committed, liveMegabytes * Megabyte);
            Interlocked.Increment(ref _compactions);
        }
    }
}
