using System.ComponentModel.DataAnnotations;

namespace Ginx.AppHost;

/// <summary>
/// The traffic the AppHost sends through the proxy by itself, from <c>Topology:Traffic</c>, so the
/// dashboard has something to show from the first minute.
/// </summary>
public sealed class TrafficOptions
{
    /// <summary>Whether traffic starts as soon as the proxy is healthy. The dashboard commands work either way.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Requests sent per second while traffic runs.</summary>
    [Range(0.1, 1000)]
    public double RatePerSecond { get; set; } = 20;
}
