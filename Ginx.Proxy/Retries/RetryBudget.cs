namespace Ginx.Proxy.Retries;

/// <summary>
/// Envoy's retry budget: over a sliding window, retries may add at most a share of the cluster's
/// requests (with a floor, so a quiet cluster can still retry). Without it, a cluster-wide failure
/// turns every request into <c>Tries</c> requests exactly when the destinations can least bear it.
/// A retry is charged when it is made and refunded once answered well: one that another
/// destination served was no extra load on a failing cluster, and counting it would let the
/// burst of requests a single failing replica gets before it is ejected spend the whole floor.
/// </summary>
internal sealed class RetryBudget(TimeProvider time)
{
    private const int BucketCount = 10;

    private readonly Bucket[] _buckets = [new(), new(), new(), new(), new(), new(), new(), new(), new(), new()];
    private readonly Lock _retryLock = new();

    /// <summary>Counts a request that began at <paramref name="timestamp"/> towards the share retries may take. Lock-free: it runs on every request.</summary>
    public void RecordRequest(TimeSpan window, long timestamp) => Interlocked.Increment(ref Current(window, timestamp, out _).Requests);

    /// <summary>Takes one retry from the budget, or says there is none left; <paramref name="charge"/> names it for <see cref="Refund"/>.</summary>
    public bool TryAcquireRetry(RetryOptions options, out long charge)
    {
        lock (_retryLock)
        {
            if (!HasRetryLeft(options, out var current))
            {
                charge = default;
                return false;
            }

            Interlocked.Increment(ref current.Retries);
            charge = current.Epoch;
            return true;
        }
    }

    /// <summary>Gives back a retry that was answered well; one charged to a window already gone has nothing left to give back.</summary>
    public void Refund(long charge)
    {
        var bucket = _buckets[charge % BucketCount];
        lock (bucket)
        {
            // Charges take the other lock, so this must not undo one made at the same moment.
            if (bucket.Epoch == charge && Volatile.Read(ref bucket.Retries) > 0)
            {
                Interlocked.Decrement(ref bucket.Retries);
            }
        }
    }

    /// <summary>Whether the budget has a retry left now, without taking it.</summary>
    public bool HasRetryLeft(RetryOptions options) => HasRetryLeft(options, out _);

    private bool HasRetryLeft(RetryOptions options, out Bucket current)
    {
        current = Current(options.BudgetWindow, time.GetTimestamp(), out var epoch);
        long requests = 0, retries = 0;
        foreach (var bucket in _buckets)
        {
            if (Volatile.Read(ref bucket.Epoch) > epoch - BucketCount)
            {
                requests += Volatile.Read(ref bucket.Requests);
                retries += Volatile.Read(ref bucket.Retries);
            }
        }

        return retries < Math.Max(options.BudgetMinRetries, (long)(requests * options.BudgetPercent / 100));
    }

    private Bucket Current(TimeSpan window, long timestamp, out long epoch)
    {
        var bucketLength = Math.Max(1, (long)(window.TotalSeconds * time.TimestampFrequency / BucketCount));
        epoch = timestamp / bucketLength;
        var bucket = _buckets[epoch % BucketCount];
        if (Volatile.Read(ref bucket.Epoch) != epoch)
        {
            lock (bucket)
            {
                if (bucket.Epoch != epoch)
                {
                    bucket.Requests = 0;
                    bucket.Retries = 0;
                    Volatile.Write(ref bucket.Epoch, epoch);
                }
            }
        }

        return bucket;
    }

    private sealed class Bucket
    {
        public long Epoch = -1;
        public long Requests;
        public long Retries;
    }
}
