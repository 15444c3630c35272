using Ginx.Proxy.Upstream;
using Ginx.Proxy.Utilities;
using Yarp.ReverseProxy.Forwarder;
using Yarp.ReverseProxy.Model;

namespace Ginx.Proxy.Errors;

/// <summary>
/// Gives every failure the proxy itself produces an <c>application/problem+json</c> body that says
/// what went wrong and in which cluster. YARP only sets a status code; a client (or the person
/// reading its logs) should not have to guess whether a bare 502 came from the proxy or the backend.
/// Called once the rest of the proxy pipeline has run, by the step that also records the request.
/// </summary>
internal static partial class ProxyErrorAnswer
{
    /// <summary>Seconds a client is asked to wait before retrying when no destination is available.</summary>
    internal const int RetryAfterSeconds = 1;

    /// <summary>
    /// Writes the problem for the request's forwarding error <paramref name="errorFeature"/> (as
    /// <see cref="ForwarderErrors.Of"/> finds it once the attempts are done), if it has one and its answer has not started.
    /// </summary>
    public static Task WriteIfFailedAsync(HttpContext context, IForwarderErrorFeature? errorFeature)
    {
        var error = errorFeature?.Error ?? ForwarderError.None;
        if (error == ForwarderError.None || context.Response.HasStarted || context.RequestAborted.IsCancellationRequested)
        {
            return Task.CompletedTask;
        }

        var clusterId = context.GetReverseProxyFeature().Cluster.Config.ClusterId;
        var (title, detail) = errorFeature is NoDestinationErrorFeature { AllAtMaxConns: true }
            ? ("All destinations at MaxConns", $"Every available destination in cluster '{clusterId}' already holds its MaxConns requests.")
            : Describe(error, clusterId);
        if (context.Response.StatusCode == StatusCodes.Status503ServiceUnavailable)
        {
            context.Response.Headers.RetryAfter = RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        return ProblemAnswer.WriteAsync(context, context.Response.StatusCode, title, detail, clusterId);
    }

    /// <summary>
    /// Answers an exception that escaped the proxy pipeline before the response started, as ASP.NET
    /// Core's exception handler would: logged with its stack trace, and a 500 problem without one.
    /// A cancellation because the client left is neither: nobody is there to answer.
    /// </summary>
    public static Task WriteUnexpectedAsync(HttpContext context, Exception exception, ILogger logger)
    {
        if (exception is OperationCanceledException && context.RequestAborted.IsCancellationRequested)
        {
            return Task.CompletedTask;
        }

        var clusterId = context.GetReverseProxyFeature().Cluster.Config.ClusterId;
        LogProxyFailed(logger, clusterId, exception);
        context.Response.Clear();
        return ProblemAnswer.WriteAsync(
            context,
            StatusCodes.Status500InternalServerError,
            "Proxy failure",
            $"The proxy failed while forwarding the request in cluster '{clusterId}'.",
            clusterId);
    }

    [LoggerMessage(EventId = EventIds.ProxyFailed, Level = LogLevel.Error, Message = "The proxy failed on a request of cluster '{ClusterId}'")]
    private static partial void LogProxyFailed(ILogger logger, string clusterId, Exception exception);

    private static (string Title, string Detail) Describe(ForwarderError error, string clusterId) => error switch
    {
        ForwarderError.NoAvailableDestinations =>
            ("No destination available", $"Cluster '{clusterId}' has no available destination to forward the request to."),
        ForwarderError.RequestTimedOut =>
            ("Upstream timed out", $"The destination in cluster '{clusterId}' did not answer in time."),
        ForwarderError.RequestBodyClient =>
            ("Request body incomplete", "The request body could not be read from the client."),
        ForwarderError.ResponseBodyDestination or ForwarderError.ResponseHeaders =>
            ("Upstream response broken", $"The destination in cluster '{clusterId}' broke off its response."),
        _ =>
            ("Upstream unreachable", $"The request could not be forwarded to a destination in cluster '{clusterId}'."),
    };
}
