namespace Ginx.SampleBackend;

/// <summary>
/// Composes the sample backend. <c>Program</c> runs it; tests host the very same application
/// in-process when they need a replica they can slow down or fail without the whole topology.
/// </summary>
public static class SampleBackendApplication
{
    /// <summary>Adds the backend's services to <paramref name="builder"/>, builds it and maps its endpoints.</summary>
    public static WebApplication Build(WebApplicationBuilder builder)
    {
        builder.AddServiceDefaults();
        builder.Services.AddProblemDetails();
        builder.Services.AddSingleton<ReplicaIdentity>();
        builder.Services.AddSingleton<ChaosState>();
        builder.Services.AddSingleton<RequestStats>();
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddGrpc();

        var app = builder.Build();

        app.UseExceptionHandler();
        app.Use((context, next) =>
        {
            context.Response.Headers[ReplicaIdentity.HeaderName] = context.RequestServices.GetRequiredService<ReplicaIdentity>().Name;
            return next(context);
        });
        app.UseWebSockets();
        app.UseRouting();
        app.UseMiddleware<ChaosMiddleware>();

        app.MapDefaultEndpoints();
        app.MapBackendEndpoints();
        app.MapWebSocketEcho().WithMetadata(WorkloadEndpoint.Instance);
        app.MapEventStream().WithMetadata(WorkloadEndpoint.Instance);
        // Served on any listener, but gRPC clients need HTTP/2: Kestrel's Http2 endpoint (README).
        app.MapGrpcService<GrpcReplicaService>().WithMetadata(WorkloadEndpoint.Instance);

        return app;
    }
}
