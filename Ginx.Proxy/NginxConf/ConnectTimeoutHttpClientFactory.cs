using System.Globalization;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Configuration.ClusterValidators;
using Yarp.ReverseProxy.Forwarder;

namespace Ginx.Proxy.NginxConf;

/// <summary>
/// Honours a cluster's <c>ConnectTimeout</c> metadata (nginx's <c>proxy_connect_timeout</c>): how
/// long connecting to a destination may take. YARP's cluster configuration has no such setting; its
/// client gives every cluster the same 15 seconds, where nginx's default is 60.
/// </summary>
internal sealed class ConnectTimeoutHttpClientFactory(ILogger<ForwarderHttpClientFactory> logger) : ForwarderHttpClientFactory(logger)
{
    /// <summary>The cluster metadata key: a duration such as <c>00:00:05</c>.</summary>
    public const string MetadataKey = "ConnectTimeout";

    /// <summary>The timeout <paramref name="metadata"/> sets; null when none or an invalid one (the validator rejects those).</summary>
    public static TimeSpan? Of(IReadOnlyDictionary<string, string>? metadata) =>
        metadata is not null && metadata.TryGetValue(MetadataKey, out var text)
        && TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out var timeout) && timeout > TimeSpan.Zero
            ? timeout
            : null;

    // YARP reuses the client while the cluster's HttpClient settings stay equal; this one lives in metadata.
    protected override bool CanReuseOldClient(ForwarderHttpClientContext context) =>
        base.CanReuseOldClient(context) && Of(context.OldMetadata) == Of(context.NewMetadata);

    protected override void ConfigureHandler(ForwarderHttpClientContext context, SocketsHttpHandler handler)
    {
        base.ConfigureHandler(context, handler);
        if (Of(context.NewMetadata) is { } timeout)
        {
            handler.ConnectTimeout = timeout;
        }
    }

    /// <summary>Rejects a <c>ConnectTimeout</c> that is not a positive duration.</summary>
    internal sealed class Validator : IClusterValidator
    {
        public ValueTask ValidateAsync(ClusterConfig cluster, IList<Exception> errors)
        {
            if (cluster.Metadata?.TryGetValue(MetadataKey, out var text) == true && Of(cluster.Metadata) is null)
            {
                errors.Add(new ArgumentException($"Cluster '{cluster.ClusterId}': metadata '{MetadataKey}' = '{text}' is not a positive duration such as '00:00:05'."));
            }

            return ValueTask.CompletedTask;
        }
    }
}
