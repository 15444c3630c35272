using System.Runtime.InteropServices;

namespace Ginx.Proxy.LoadBalancing;

/// <summary>
/// A fast, allocation-free 64-bit hash that is the same in every process and on every run (unlike
/// <see cref="string.GetHashCode()"/>), so a key maps to the same destination across restarts and
/// across proxies: FNV-1a, finished with MurmurHash3's mixer so that nearby keys spread over the ring.
/// </summary>
internal static class StableHash
{
    private const ulong OffsetBasis = 14695981039346656037;
    private const ulong Prime = 1099511628211;

    public static ulong Of(ReadOnlySpan<char> text) => Of(MemoryMarshal.AsBytes(text));

    public static ulong Of(ReadOnlySpan<byte> data) => Mix(Add(OffsetBasis, data));

    /// <summary>The hash of <paramref name="first"/> and <paramref name="second"/> written one after the other, without joining them.</summary>
    public static ulong Of(ReadOnlySpan<char> first, ReadOnlySpan<char> second) =>
        Mix(Add(Add(OffsetBasis, MemoryMarshal.AsBytes(first)), MemoryMarshal.AsBytes(second)));

    private static ulong Add(ulong hash, ReadOnlySpan<byte> data)
    {
        foreach (var b in data)
        {
            hash = (hash ^ b) * Prime;
        }

        return hash;
    }

    private static ulong Mix(ulong hash)
    {
        hash ^= hash >> 33;
        hash *= 0xff51afd7ed558ccd;
        hash ^= hash >> 33;
        hash *= 0xc4ceb9fe1a85ec53;
        hash ^= hash >> 33;
        return hash;
    }
}
