using Ginx.Proxy.Upstream;

namespace Ginx.Proxy.LoadBalancing;

/// <summary>
/// One whole cycle of nginx's smooth weighted round robin, worked out once for fixed integer weights:
/// the sequence repeats every Σweights picks, so a pick is the next ticket's slot in it. Lock-free and
/// still exact under concurrency, because every pick draws a distinct ticket: any N consecutive
/// tickets hold exactly the nginx sequence's counts, whichever threads draw them.
/// </summary>
internal sealed class SmoothWeightedSchedule
{
    /// <summary>The longest cycle worth precomputing; longer ones are picked by the locked pass.</summary>
    public const int MaxLength = 16_384;

    private readonly int[] _order;
    private long _ticket = -1;

    private SmoothWeightedSchedule(int[] order) => _order = order;

    /// <summary>The schedule for the weights in <paramref name="settings"/>; null when the cycle would exceed <see cref="MaxLength"/>.</summary>
    public static SmoothWeightedSchedule? TryBuild(IReadOnlyList<DestinationSettings> settings)
    {
        var total = 0;
        foreach (var setting in settings)
        {
            total += setting.Weight;
            if (total > MaxLength)
            {
                return null;
            }
        }

        var current = new int[settings.Count];
        var order = new int[total];
        for (var slot = 0; slot < total; slot++)
        {
            var best = 0;
            for (var i = 0; i < current.Length; i++)
            {
                current[i] += settings[i].Weight;
                if (current[i] > current[best])
                {
                    best = i;
                }
            }

            current[best] -= total;
            order[slot] = best;
        }

        return new SmoothWeightedSchedule(order);
    }

    /// <summary>The index of the next destination in the cycle.</summary>
    public int Next() => _order[(int)((ulong)Interlocked.Increment(ref _ticket) % (ulong)_order.Length)];
}
