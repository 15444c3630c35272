namespace Ginx.SampleBackend;

/// <summary>
/// Counts every workload request and applies the chaos in force: a stall in progress, added
/// latency, then a reset connection or an injected error status, each with its configured probability.
/// </summary>
public sealed class ChaosMiddleware(RequestDelegate next, ChaosState chaos, RequestStats stats)
{
    /// <summary>Runs the request through chaos and into the endpoint.</summary>
    public async Task InvokeAsync(HttpContext context)
    {
        if (context.GetEndpoint()?.Metadata.GetMetadata<WorkloadEndpoint>() is null)
        {
            await next(context);
            return;
        }

        using var inFlight = stats.Begin();
        var settings = chaos.Current;
        if (settings.NoChaos)
        {
            await next(context);
            return;
        }

        var stall = settings.StallRemaining(Environment.TickCount64);
        if (stall > TimeSpan.Zero)
        {
            await Task.Delay(stall, context.RequestAborted);
        }

        if (settings.LatencyMs > 0)
        {
            await Task.Delay(settings.LatencyMs, context.RequestAborted);
        }

        if (Random.Shared.NextDouble() < settings.AbortRate)
        {
            stats.Aborted();
            context.Abort();
            return;
        }

        if (Random.Shared.NextDouble() < settings.ErrorRate)
        {
            stats.InjectedError();
            context.Response.StatusCode = settings.ErrorStatus;
            await context.Response.WriteAsync($"chaos: injected {settings.ErrorStatus}", context.RequestAborted);
            return;
        }

        await next(context);
    }
}
