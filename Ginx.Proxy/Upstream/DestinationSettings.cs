using System.Runtime.CompilerServices;
using Yarp.ReverseProxy.Model;

namespace Ginx.Proxy.Upstream;

/// <summary>
/// A destination's balancing settings, parsed once from its <see cref="DestinationMetadata"/>. The
/// cache is keyed on the <see cref="DestinationModel"/>, which YARP replaces on every reload that
/// changes the destination, so a reload re-parses and an old model's entry goes with it.
/// </summary>
internal sealed record DestinationSettings(int Weight, bool Backup, bool Down, int MaxConns, TimeSpan SlowStart)
{
    /// <summary>The <see cref="MaxConns"/> of a destination without a limit.</summary>
    public const int Unlimited = int.MaxValue;

    public static readonly DestinationSettings Default = new(1, false, false, Unlimited, TimeSpan.Zero);

    private static readonly ConditionalWeakTable<DestinationModel, DestinationSettings> Cache = new();

    public bool HasMaxConns => MaxConns != Unlimited;

    public static DestinationSettings Of(DestinationModel model) =>
        Cache.GetValue(model, static model => DestinationMetadata.Parse(model.Config.Metadata));

    public static DestinationSettings Of(DestinationState destination) => Of(destination.Model);
}
