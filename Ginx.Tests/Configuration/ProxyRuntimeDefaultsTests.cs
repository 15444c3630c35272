using Ginx.Proxy;

namespace Ginx.Tests.Configuration;

// Both tests set the same process-wide variable; xunit runs a class's tests one at a time.
public sealed class ProxyRuntimeDefaultsTests : IDisposable
{
    private readonly string? _before = Environment.GetEnvironmentVariable(ProxyRuntimeDefaults.MaxArraysPerPartitionVariable);

    public void Dispose() => Environment.SetEnvironmentVariable(ProxyRuntimeDefaults.MaxArraysPerPartitionVariable, _before);

    [Fact]
    public void Apply_WithNothingSet_KeepsEnoughPooledBuffersForManyBodiesInFlight()
    {
        Environment.SetEnvironmentVariable(ProxyRuntimeDefaults.MaxArraysPerPartitionVariable, null);

        ProxyRuntimeDefaults.Apply();

        Assert.Equal("256", Environment.GetEnvironmentVariable(ProxyRuntimeDefaults.MaxArraysPerPartitionVariable));
    }

    [Fact]
    public void Apply_LeavesAValueTheOperatorSet()
    {
        Environment.SetEnvironmentVariable(ProxyRuntimeDefaults.MaxArraysPerPartitionVariable, "48");

        ProxyRuntimeDefaults.Apply();

        Assert.Equal("48", Environment.GetEnvironmentVariable(ProxyRuntimeDefaults.MaxArraysPerPartitionVariable));
    }
}
