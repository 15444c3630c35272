using System.Numerics;

namespace Ginx.Proxy.Telemetry;

/// <summary>
/// A fixed log-scale latency histogram's bucket arithmetic: four buckets per doubling from 16 µs to
/// about a minute, so a percentile read from it is within 12 % of the true value, and recording one
/// latency is an index computation and one increment.
/// </summary>
internal static class LatencyHistogram
{
    private const int SubBuckets = 4;
    private const int FirstOctave = 4;
    private const int Octaves = 22;

    /// <summary>How many buckets a histogram has: one for everything under 16 µs, then four per doubling.</summary>
    public const int Buckets = 1 + (Octaves * SubBuckets);

    /// <summary>The bucket <paramref name="duration"/> falls in; anything past the last bucket counts in it.</summary>
    public static int IndexOf(TimeSpan duration)
    {
        var micros = (ulong)Math.Max(duration.Ticks / TimeSpan.TicksPerMicrosecond, 0);
        if (micros < 1UL << FirstOctave)
        {
            return 0;
        }

        var octave = BitOperations.Log2(micros);
        var sub = (int)(micros >> (octave - 2)) & (SubBuckets - 1);
        return Math.Min(1 + ((octave - FirstOctave) * SubBuckets) + sub, Buckets - 1);
    }

    /// <summary>The middle of bucket <paramref name="index"/>, in milliseconds.</summary>
    public static double MillisecondsOf(int index)
    {
        if (index == 0)
        {
            return (1 << FirstOctave) / 2 / 1000.0;
        }

        var octave = ((index - 1) / SubBuckets) + FirstOctave;
        var sub = (index - 1) % SubBuckets;
        var lower = (double)((SubBuckets + sub) << (octave - 2));
        var width = (double)(1 << (octave - 2));
        return (lower + (width / 2)) / 1000.0;
    }

    /// <summary>The latency below which <paramref name="quantile"/> of the counted requests fell, in milliseconds; null when none was counted.</summary>
    public static double? Percentile(ReadOnlySpan<long> counts, double quantile)
    {
        long total = 0;
        foreach (var count in counts)
        {
            total += count;
        }

        if (total == 0)
        {
            return null;
        }

        var rank = Math.Max((long)Math.Ceiling(quantile * total), 1);
        long seen = 0;
        for (var i = 0; i < counts.Length; i++)
        {
            seen += counts[i];
            if (seen >= rank)
            {
                return MillisecondsOf(i);
            }
        }

        return MillisecondsOf(counts.Length - 1);
    }
}
