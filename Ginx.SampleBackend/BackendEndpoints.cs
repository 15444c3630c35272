using Microsoft.AspNetCore.Http.Features;

namespace Ginx.SampleBackend;

/// <summary>The sample backend's HTTP surface: workload endpoints and the controls tests use.</summary>
public static class BackendEndpoints
{
    /// <summary>The longest <c>/delay</c> a client may ask for.</summary>
    public const int MaxDelayMs = 600_000;

    /// <summary>The largest body <c>/bytes</c> returns.</summary>
    public const int MaxBytes = 16 * 1024 * 1024;

    private static readonly byte[] Filler = CreateFiller();

    /// <summary>Maps the workload and control endpoints.</summary>
    public static WebApplication MapBackendEndpoints(this WebApplication app)
    {
        var workload = app.MapGroup("").WithMetadata(WorkloadEndpoint.Instance);

        workload.MapGet("/", (HttpRequest request, ReplicaIdentity identity) =>
            ReplicaReply.Describe(request, identity.Name));

        workload.MapGet("/delay/{ms:int}", async (int ms, HttpRequest request, ReplicaIdentity identity, CancellationToken aborted) =>
        {
            if (ms is < 0 or > MaxDelayMs)
            {
                return Results.Problem(
                    detail: $"Delay must be between 0 and {MaxDelayMs} ms, was {ms}.",
                    statusCode: StatusCodes.Status400BadRequest);
            }

            await Task.Delay(ms, aborted);
            return Results.Ok(ReplicaReply.Describe(request, identity.Name));
        });

        workload.MapGet("/status/{code:int}", (int code) => code is < 200 or > 599
            ? Results.Problem(detail: $"Status must be between 200 and 599, was {code}.", statusCode: StatusCodes.Status400BadRequest)
            : Results.StatusCode(code));

        workload.MapGet("/bytes/{count:int}", async (int count, HttpResponse response, CancellationToken aborted) =>
        {
            if (count is < 0 or > MaxBytes)
            {
                await Results.Problem(
                        detail: $"Count must be between 0 and {MaxBytes}, was {count}.",
                        statusCode: StatusCodes.Status400BadRequest)
                    .ExecuteAsync(response.HttpContext);
                return;
            }

            response.ContentType = "application/octet-stream";
            response.ContentLength = count;
            for (var sent = 0; sent < count; sent += Filler.Length)
            {
                await response.Body.WriteAsync(Filler.AsMemory(0, Math.Min(Filler.Length, count - sent)), aborted);
            }
        });

        // Streams the body back as it arrives, so a body of any size passes through constant memory.
        // PUT too, so retries of an idempotent request with a body can be watched.
        workload.MapMethods("/echo", [HttpMethods.Post, HttpMethods.Put], async (HttpContext context) =>
        {
            if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
            {
                limit.MaxRequestBodySize = null;
            }

            context.Response.ContentType = context.Request.ContentType ?? "application/octet-stream";
            context.Response.ContentLength = context.Request.ContentLength;
            await context.Request.Body.CopyToAsync(context.Response.Body, context.RequestAborted);
        });

        app.MapGet("/chaos", (ChaosState chaos) => chaos.Current);
        app.MapPost("/chaos", (ChaosSettings settings, ChaosState chaos, ILogger<ChaosState> logger) =>
        {
            var errors = settings.Validate();
            if (errors.Count > 0)
            {
                return Results.ValidationProblem(errors);
            }

            chaos.Current = settings;
            BackendLog.ChaosSet(logger, settings);
            return Results.Ok(settings);
        });
        app.MapDelete("/chaos", (ChaosState chaos, ILogger<ChaosState> logger) =>
        {
            chaos.Current = ChaosSettings.None;
            BackendLog.ChaosHealed(logger);
            return Results.Ok(ChaosSettings.None);
        });

        app.MapGet("/stats", (RequestStats stats, ReplicaIdentity identity) => stats.Snapshot(identity.Name));
        app.MapDelete("/stats", (RequestStats stats, ReplicaIdentity identity) =>
        {
            stats.Reset();
            return stats.Snapshot(identity.Name);
        });

        return app;
    }

    private static byte[] CreateFiller()
    {
        var filler = new byte[16 * 1024];
        for (var i = 0; i < filler.Length; i++)
        {
            filler[i] = (byte)('a' + (i % 26));
        }

        return filler;
    }
}
