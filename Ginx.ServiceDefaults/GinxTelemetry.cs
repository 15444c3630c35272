namespace Ginx.ServiceDefaults;

/// <summary>
/// The names of Ginx's own meters and activity sources. They live here, next to the OpenTelemetry
/// set-up, so every service exports them without having to know who emits what.
/// </summary>
public static class GinxTelemetry
{
    /// <summary>The meter and activity source of the balancing proxy.</summary>
    public const string ProxySourceName = "Ginx.Proxy";

    /// <summary>The meter of the sample backend.</summary>
    public const string SampleBackendSourceName = "Ginx.SampleBackend";

    internal static readonly string[] MeterNames = [ProxySourceName, SampleBackendSourceName];

    internal static readonly string[] ActivitySourceNames = [ProxySourceName];
}
