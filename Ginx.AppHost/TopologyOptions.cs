using Microsoft.Extensions.Configuration;
using System.ComponentModel.DataAnnotations;

namespace Ginx.AppHost;

/// <summary>
/// The shape of the test bed, from the AppHost's <c>Topology</c> configuration section
/// (appsettings.json, or <c>--Topology:Replicas=5</c> on the command line).
/// </summary>
public sealed class TopologyOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "Topology";

    /// <summary>How many backend replicas to start, each its own resource <c>backend-1</c> … <c>backend-N</c>.</summary>
    [Range(1, 32)]
    public int Replicas { get; set; } = 3;

    /// <summary>The port the proxy listens on; empty lets the orchestrator choose one (the tests do).</summary>
    [Range(1, 65535)]
    public int? ProxyPort { get; set; } = 8080;

    /// <summary>
    /// The port of the proxy's admin listener (<c>/ginx/</c>, <c>/ginx/status</c>); empty, the
    /// default, lets the orchestrator choose a free one, so a standalone Ginx on its own default
    /// (9901) does not stop the AppHost's proxy from starting. The dashboard links it.
    /// </summary>
    [Range(1, 65535)]
    public int? AdminPort { get; set; }

    /// <summary>The port of the proxy's HTTP/2-only listener, for gRPC; empty lets the orchestrator choose one.</summary>
    [Range(1, 65535)]
    public int? GrpcPort { get; set; } = 8081;

    /// <summary>The traffic the AppHost generates through the proxy.</summary>
    public TrafficOptions Traffic { get; set; } = new();

    /// <summary>The balanced clusters' <c>LoadBalancingPolicy</c> (HTTP and gRPC), any name the proxy knows.</summary>
    [Required(AllowEmptyStrings = false)]
    public string LoadBalancingPolicy { get; set; } = "WeightedRoundRobin";

    /// <summary>
    /// Destination metadata per replica, in both balanced clusters, handed to the proxy as is:
    /// <c>Topology:Destinations:backend-1:Weight=5</c>, <c>…:backend-3:Backup=true</c>. The proxy
    /// validates the values; the AppHost only checks that each names a replica it starts.
    /// </summary>
    public Dictionary<string, Dictionary<string, string>> Destinations { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>The balanced clusters' metadata (HTTP and gRPC), handed to the proxy as is: <c>Topology:ClusterMetadata:HashKey=header:X-User</c>.</summary>
    public Dictionary<string, string> ClusterMetadata { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>The resource name of replica <paramref name="index"/>, counting from 1.</summary>
    public static string ReplicaName(int index) => $"backend-{index}";

    /// <summary>Reads and validates the section; an invalid value stops the AppHost with the key and value named.</summary>
    public static TopologyOptions Load(IConfiguration configuration)
    {
        var section = configuration.GetSection(SectionName);
        var options = section.Get<TopologyOptions>() ?? new TopologyOptions();

        var problems = Validate(options, section, SectionName)
            .Concat(Validate(options.Traffic, section.GetSection(nameof(Traffic)), $"{SectionName}:{nameof(Traffic)}"))
            .ToList();
        if (problems.Count > 0)
        {
            throw new InvalidOperationException("Invalid AppHost configuration: " + string.Join("; ", problems));
        }

        var replicas = Enumerable.Range(1, options.Replicas).Select(ReplicaName).ToHashSet(StringComparer.OrdinalIgnoreCase);
        var unknown = options.Destinations.Keys.Where(name => !replicas.Contains(name)).ToArray();
        if (unknown.Length > 0)
        {
            throw new InvalidOperationException(
                $"Invalid AppHost configuration: {SectionName}:{nameof(Destinations)} names {string.Join(", ", unknown.Select(name => $"'{name}'"))}, " +
                $"but the replicas are {ReplicaName(1)} … {ReplicaName(options.Replicas)}.");
        }

        return options;
    }

    private static IEnumerable<string> Validate(object options, IConfigurationSection section, string prefix)
    {
        var results = new List<ValidationResult>();
        Validator.TryValidateObject(options, new ValidationContext(options), results, validateAllProperties: true);
        return results.Select(result =>
            $"{prefix}:{string.Join(",", result.MemberNames)} = '{section[result.MemberNames.First()]}': {result.ErrorMessage}");
    }
}
