namespace Ginx.Proxy.Memory;

/// <summary>The process's garbage-collected heap.</summary>
internal sealed class ManagedHeap : IManagedHeap
{
    public long AllocatedBytes => GC.GetTotalAllocatedBytes(precise: false);

    public long CommittedBytes => GC.GetGCMemoryInfo().TotalCommittedBytes;

    // Aggressive, not Forced: a forced compacting collection moves the survivors into fresh regions
    // and keeps the emptied ones committed for later (measured: committed 104 -> 108 MB); the
    // aggressive one decommits them (104 -> 86 MB, the live objects).
    public void Compact() => GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
}
