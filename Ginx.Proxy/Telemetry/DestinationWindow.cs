namespace Ginx.Proxy.Telemetry;

/// <summary>
/// A destination's recent requests and their latency at the proxy, for the live page: per-second
/// buckets for the last <see cref="WindowSeconds"/> seconds, and <see cref="HistoryIntervalSeconds"/>-second
/// buckets for the last five minutes. Each bucket is a <see cref="LatencyHistogram"/>, so recording
/// is two increments and percentiles are computed only when someone reads them.
/// </summary>
/// <remarks>
/// Buckets are reused round a ring without a lock: a request recorded in the instant its bucket is
/// recycled for a new period may be lost. The figures are for eyes, not for billing.
/// </remarks>
internal sealed class DestinationWindow
{
    /// <summary>How far back requests/s, share and percentiles look.</summary>
    public const int WindowSeconds = 10;

    /// <summary>How many seconds one point of the history covers.</summary>
    public const int HistoryIntervalSeconds = 5;

    /// <summary>How many points the history has: five minutes' worth.</summary>
    public const int HistoryPoints = 5 * 60 / HistoryIntervalSeconds;

    // The period being filled is not reported (it is incomplete), and one more slot keeps the
    // oldest reported period from being recycled while it is read.
    private readonly Ring _seconds = new(WindowSeconds + 2);
    private readonly Ring _history = new(HistoryPoints + 2);

    /// <summary>Records one request that ended in second <paramref name="second"/> (see <see cref="SecondOf"/>).</summary>
    public void Record(long second, TimeSpan duration)
    {
        var bucket = LatencyHistogram.IndexOf(duration);
        _seconds.Add(second, bucket);
        _history.Add(second / HistoryIntervalSeconds, bucket);
    }

    /// <summary>The whole seconds elapsed on <paramref name="time"/>'s clock at <paramref name="timestamp"/>.</summary>
    public static long SecondOf(TimeProvider time, long timestamp) => timestamp / time.TimestampFrequency;

    /// <summary>The last <see cref="WindowSeconds"/> complete seconds before <paramref name="second"/>.</summary>
    public WindowFigures Window(long second)
    {
        var counts = new long[LatencyHistogram.Buckets];
        var requests = _seconds.Sum(second - WindowSeconds, second, counts);
        return new WindowFigures(requests, LatencyHistogram.Percentile(counts, 0.5), LatencyHistogram.Percentile(counts, 0.99));
    }

    /// <summary>
    /// Requests/s and p99 of each of the last <see cref="HistoryPoints"/> complete intervals before
    /// the one <paramref name="second"/> falls in, oldest first; p99 is null where none was recorded.
    /// </summary>
    public DestinationHistory History(long second)
    {
        var current = second / HistoryIntervalSeconds;
        var rates = new double[HistoryPoints];
        var p99 = new double?[HistoryPoints];
        var counts = new long[LatencyHistogram.Buckets];
        for (var i = 0; i < HistoryPoints; i++)
        {
            var period = current - HistoryPoints + i;
            Array.Clear(counts);
            rates[i] = (double)_history.Sum(period, period + 1, counts) / HistoryIntervalSeconds;
            p99[i] = LatencyHistogram.Percentile(counts, 0.99);
        }

        return new DestinationHistory(rates, p99);
    }

    /// <summary>Histograms of consecutive periods, round a ring of slots.</summary>
    private sealed class Ring(int slots)
    {
        private readonly Bucket[] _buckets = Enumerable.Range(0, slots).Select(_ => new Bucket()).ToArray();

        public void Add(long period, int index) => _buckets[period % _buckets.Length].Add(period, index);

        /// <summary>Adds the histograms of periods [<paramref name="from"/>, <paramref name="to"/>) to <paramref name="counts"/>; returns how many requests they held.</summary>
        public long Sum(long from, long to, long[] counts)
        {
            long requests = 0;
            for (var period = Math.Max(from, 0); period < to; period++)
            {
                requests += _buckets[period % _buckets.Length].AddTo(period, counts);
            }

            return requests;
        }
    }

    private sealed class Bucket
    {
        private readonly int[] _counts = new int[LatencyHistogram.Buckets];
        private long _period = -1;

        public void Add(long period, int index)
        {
            var held = Volatile.Read(ref _period);
            if (held != period)
            {
                // A request that ends late for a period already recycled is dropped rather than
                // counted in the wrong one.
                if (held > period)
                {
                    return;
                }

                if (Interlocked.CompareExchange(ref _period, period, held) == held)
                {
                    Array.Clear(_counts);
                }
            }

            Interlocked.Increment(ref _counts[index]);
        }

        /// <summary>Adds this bucket's counts to <paramref name="counts"/> if it holds <paramref name="period"/>; returns how many it added.</summary>
        public long AddTo(long period, long[] counts)
        {
            if (Volatile.Read(ref _period) != period)
            {
                return 0;
            }

            long requests = 0;
            for (var i = 0; i < _counts.Length; i++)
            {
                var count = Volatile.Read(ref _counts[i]);
                counts[i] += count;
                requests += count;
            }

            return requests;
        }
    }
}

/// <summary>A destination's requests and latency percentiles (ms) over the window; null percentiles when it served none.</summary>
internal readonly record struct WindowFigures(long Requests, double? P50Ms, double? P99Ms);

/// <summary>A destination's last five minutes, one point per <see cref="DestinationWindow.HistoryIntervalSeconds"/>, oldest first.</summary>
internal sealed record DestinationHistory(double[] RequestsPerSecond, double?[] P99Ms);
