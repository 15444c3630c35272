using Ginx.Proxy.Errors;
using Ginx.Proxy.Telemetry;

namespace Ginx.Proxy.Management;

/// <summary>
/// The outermost step of Ginx's proxy pipeline: once the rest has run, answers a failure of the
/// proxy's own with a problem (<see cref="ProxyErrorAnswer"/>), then records the request
/// (<see cref="ProxyRequestRecorder"/>) with its final status. One step rather than one per feature:
/// each step awaits the rest of the pipeline, and each such frame cost about as much per request
/// as the error answer's whole check (see README, "Two steps folded").
/// </summary>
internal sealed class ProxyOutcomeMiddleware(RequestDelegate next, ProxyRequestRecorder recorder)
{
    public async Task InvokeAsync(HttpContext context)
    {
        var started = recorder.Start();
        var faulted = true;
        try
        {
            await next(context);
            await ProxyErrorAnswer.WriteIfFailedAsync(context);
            faulted = false;
        }
        finally
        {
            recorder.Record(context, started, faulted);
        }
    }
}
