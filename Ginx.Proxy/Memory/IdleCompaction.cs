using System.Diagnostics;
using Ginx.Proxy.Utilities;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Ginx.Proxy.Memory;

/// <summary>
/// Compacts the managed heap once when the proxy goes quiet after the heap grew. A burst of new
/// connections leaves each one's objects (about 9 KB an HTTP/1.1 connection: Kestrel's connection,
/// its pipes, header collections and state machines) scattered among the burst's garbage, and the
/// runtime does not collect while nothing allocates; an idle proxy would hold that memory until
/// traffic returns. Under load the heap is never quiet, so this never stops a busy proxy.
/// </summary>
internal sealed partial class IdleCompaction : BackgroundService
{
    private const long Kilobyte = 1024;
    private const long Megabyte = 1024 * Kilobyte;

    private readonly IManagedHeap _heap;
    private readonly IdleCompactionOptions _options;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger<IdleCompaction> _logger;
    private long _allocatedAtLastLook;
    private long _committedFloor;

    public IdleCompaction(IManagedHeap heap, IOptions<IdleCompactionOptions> options, TimeProvider timeProvider, ILogger<IdleCompaction> logger)
    {
        _heap = heap;
        _options = options.Value;
        _timeProvider = timeProvider;
        _logger = logger;
        _allocatedAtLastLook = heap.AllocatedBytes;
        _committedFloor = heap.CommittedBytes;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!_options.Enabled)
        {
            return;
        }

        using var timer = new PeriodicTimer(_options.QuietPeriod, _timeProvider);
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
        {
            LookAtHeap();
        }
    }

    /// <summary>One look, at the end of a quiet period: compacts if the period was quiet and the heap grew enough since the last compaction.</summary>
    /// <returns>Whether it compacted.</returns>
    internal bool LookAtHeap()
    {
        var allocated = _heap.AllocatedBytes;
        var committed = _heap.CommittedBytes;
        var quiet = allocated - _allocatedAtLastLook < _options.QuietAllocationKilobytes * Kilobyte;
        _allocatedAtLastLook = allocated;
        // Growth counts from the lowest point, so a heap the runtime shrank by itself is not compacted for growing back.
        _committedFloor = Math.Min(_committedFloor, committed);
        if (!quiet || committed - _committedFloor < _options.MinGrowthMegabytes * Megabyte)
        {
            return false;
        }

        var started = Stopwatch.GetTimestamp();
        _heap.Compact();
        var pause = Stopwatch.GetElapsedTime(started);
        _committedFloor = _heap.CommittedBytes;
        _allocatedAtLastLook = _heap.AllocatedBytes;
        LogCompacted(_logger, committed / Megabyte, _committedFloor / Megabyte, pause.TotalMilliseconds);
        return true;
    }

    [LoggerMessage(EventId = EventIds.IdleHeapCompacted, Level = LogLevel.Information,
        Message = "Quiet after growth: compacted the managed heap, committed memory {BeforeMegabytes} MB -> {AfterMegabytes} MB, in {PauseMilliseconds:F0} ms")]
    private static partial void LogCompacted(ILogger logger, long beforeMegabytes, long afterMegabytes, double pauseMilliseconds);
}
