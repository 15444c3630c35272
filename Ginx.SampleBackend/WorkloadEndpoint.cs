namespace Ginx.SampleBackend;

/// <summary>
/// Marks the endpoints that stand for real work: they are counted in <c>/stats</c> and obey chaos.
/// Health probes and the control endpoints are not, so a test can always read and heal a replica.
/// </summary>
public sealed class WorkloadEndpoint
{
    /// <summary>The one instance endpoints carry as metadata.</summary>
    public static readonly WorkloadEndpoint Instance = new();

    private WorkloadEndpoint()
    {
    }
}
