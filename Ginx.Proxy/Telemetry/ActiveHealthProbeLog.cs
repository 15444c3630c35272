using System.Globalization;
using Ginx.Proxy.Upstream;
using Ginx.Proxy.Utilities;
using Microsoft.Extensions.Options;
using Yarp.ReverseProxy.Health;
using Yarp.ReverseProxy.Model;

namespace Ginx.Proxy.Telemetry;

/// <summary>
/// Says, once, why a destination fails its active health probes, and when it passes again. YARP
/// logs every failed probe with the exception's stack trace, at every interval (every 2 s under the
/// AppHost) for as long as a replica is down; Ginx's shipped settings keep YARP's monitor to its
/// errors, and this wrapper around the cluster's active policy logs the news instead: the first
/// failure, a change of reason, and the first probe that passes after failures. A probe passes on
/// a 2xx answer, as YARP's <c>ConsecutiveFailures</c> policy judges it.
/// </summary>
internal sealed partial class ActiveHealthProbeLog(
    IActiveHealthCheckPolicy inner,
    DestinationCounters counters,
    IOptions<ActiveHealthCheckMonitorOptions> monitorOptions,
    ILogger<ActiveHealthProbeLog> logger) : IActiveHealthCheckPolicy
{
    public string Name => inner.Name;

    public void ProbingCompleted(ClusterState cluster, IReadOnlyList<DestinationProbingResult> probingResults)
    {
        // Before the policy acts, so the reason is logged ahead of the availability change it causes;
        // but a log provider that throws must not keep the policy from updating health.
        try
        {
            foreach (var result in probingResults)
            {
                Observe(cluster, result);
            }
        }
        finally
        {
            inner.ProbingCompleted(cluster, probingResults);
        }
    }

    private void Observe(ClusterState cluster, DestinationProbingResult result)
    {
        var counter = counters.For(result.Destination);
        if (result.Response is { IsSuccessStatusCode: true })
        {
            if (counter.ProbePassed() is > 0 and var failed)
            {
                LogPassedAgain(logger, counter.Name, cluster.ClusterId, failed);
            }

            return;
        }

        var timeout = cluster.Model.Config.HealthCheck?.Active?.Timeout ?? monitorOptions.Value.DefaultTimeout;
        var reason = Describe(result, timeout);
        if (counter.ProbeFailed(reason) != reason)
        {
            // YARP probes a destination an operator marked down as well, and it is usually stopped.
            var level = DestinationAvailability.IsDown(result.Destination) ? LogLevel.Information : LogLevel.Warning;
            LogFailed(logger, level, counter.Name, cluster.ClusterId, reason);
        }
    }

    /// <summary>One line, no stack trace: what an operator needs to tell a dead replica from a sick one.</summary>
    internal static string Describe(DestinationProbingResult result, TimeSpan timeout) => result switch
    {
        { Response: { } response } => $"answered {(int)response.StatusCode} {response.ReasonPhrase}".TrimEnd(),
        // The connection attempt's own limit (YARP's client gives up connecting after 15 s).
        { Exception: OperationCanceledException { InnerException: TimeoutException connectTimeout } } => connectTimeout.Message,
        { Exception: OperationCanceledException } =>
            string.Create(CultureInfo.InvariantCulture, $"no answer within {timeout.TotalSeconds:0.###} s"),
        // A connection or name that failed is named in the message ("Connection refused (10.0.0.5:8080)");
        // anything else is wrapped ("An error occurred while sending the request.") around its cause.
        { Exception: HttpRequestException { HttpRequestError: HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError } exception } =>
            exception.Message,
        { Exception: { } exception } => exception.GetBaseException().Message,
        _ => "no response",
    };

    [LoggerMessage(EventId = EventIds.ActiveHealthProbeFailed,
        Message = "Destination '{Destination}' of cluster '{Cluster}' fails its active health probe: {Reason}")]
    private static partial void LogFailed(ILogger logger, LogLevel level, string destination, string cluster, string reason);

    [LoggerMessage(EventId = EventIds.ActiveHealthProbePassedAgain, Level = LogLevel.Information,
        Message = "Destination '{Destination}' of cluster '{Cluster}' passes its active health probe again, after {FailedProbes} failed")]
    private static partial void LogPassedAgain(ILogger logger, string destination, string cluster, int failedProbes);
}
