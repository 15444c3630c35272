namespace Ginx.Proxy;

/// <summary>
/// Runtime settings the proxy needs that have no <c>runtimeconfig.json</c> switch, only an
/// environment variable the runtime reads on first use. <c>Program</c> applies them before anything
/// else runs; a value already in the environment wins.
/// </summary>
internal static class ProxyRuntimeDefaults
{
    /// <summary>Arrays of one size the shared <see cref="System.Buffers.ArrayPool{T}"/> keeps per core.</summary>
    public const string MaxArraysPerPartitionVariable = "DOTNET_SYSTEM_BUFFERS_SHAREDARRAYPOOL_MAXARRAYSPERPARTITION";

    // YARP copies each body through a 64 KiB buffer from the shared pool, which keeps 32 of a size
    // per core. With more bodies than that in flight the rest are allocated and thrown away: 256
    // connections of 64 KiB uploads made 28 KB of garbage per request, 9 KB with 256 kept. The pool
    // trims what stays unused, so the most this can hold (256 x 64 KiB per core) is not kept idle.
    private const string MaxArraysPerPartition = "256";

    public static void Apply()
    {
        if (Environment.GetEnvironmentVariable(MaxArraysPerPartitionVariable) is null)
        {
            Environment.SetEnvironmentVariable(MaxArraysPerPartitionVariable, MaxArraysPerPartition);
        }
    }
}
