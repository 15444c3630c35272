namespace Ginx.Proxy.Memory;

/// <summary>The garbage-collected heap, as idle compaction reads and compacts it: the GC itself in the proxy, a fake in tests.</summary>
internal interface IManagedHeap
{
    /// <summary>Bytes allocated since the process started.</summary>
    long AllocatedBytes { get; }

    /// <summary>Memory the heap holds from the operating system, as of its last collection.</summary>
    long CommittedBytes { get; }

    /// <summary>Collects every generation, compacts, and gives back to the operating system what it can.</summary>
    void Compact();
}
