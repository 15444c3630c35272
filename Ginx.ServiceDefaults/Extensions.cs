using Ginx.ServiceDefaults;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// The defaults every Ginx service shares: OpenTelemetry, health checks, service discovery and
/// resilience for the <see cref="System.Net.Http.HttpClient"/>s the service creates itself.
/// </summary>
public static class Extensions
{
    /// <summary>Adds OpenTelemetry, default health checks, service discovery and HttpClient resilience.</summary>
    public static TBuilder AddServiceDefaults<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.ConfigureOpenTelemetry();
        builder.AddDefaultHealthChecks();
        builder.Services.AddServiceDiscovery();

        // Only clients made by IHttpClientFactory get these. The proxy forwards through YARP's own
        // HttpMessageInvoker, which must stay free of them: a retry there would be silent and
        // unbounded, and retrying is the balancer's job.
        builder.Services.ConfigureHttpClientDefaults(http =>
        {
            http.AddStandardResilienceHandler();
            http.AddServiceDiscovery();
        });

        return builder;
    }

    /// <summary>
    /// Logs, metrics and traces, exported over OTLP when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set.
    /// Without an exporter nothing is collected at all: recording spans nobody receives cost the
    /// proxy about a quarter of its CPU per request (bench/run, OTEL_SDK_DISABLED A/B). Instruments
    /// and activity sources still work for any in-process listener.
    /// </summary>
    public static TBuilder ConfigureOpenTelemetry<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        if (string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]))
        {
            return builder;
        }

        builder.Logging.AddOpenTelemetry(logging =>
        {
            logging.IncludeFormattedMessage = true;
            logging.IncludeScopes = true;
        });

        builder.Services.AddOpenTelemetry()
            .WithMetrics(metrics => metrics
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation()
                .AddRuntimeInstrumentation()
                .AddMeter(GinxTelemetry.MeterNames))
            .WithTracing(tracing => tracing
                .AddSource(builder.Environment.ApplicationName)
                .AddSource(GinxTelemetry.ActivitySourceNames)
                // Probes every few seconds from the orchestrator and the balancer would bury real traffic.
                .AddAspNetCoreInstrumentation(aspNetCore =>
                    aspNetCore.Filter = context => !HealthEndpoints.IsHealthPath(context.Request.Path))
                .AddHttpClientInstrumentation(http =>
                    http.FilterHttpRequestMessage = request => request.RequestUri is null
                        || !HealthEndpoints.IsHealthPath(new PathString(request.RequestUri.AbsolutePath))))
            .UseOtlpExporter();

        return builder;
    }

    /// <summary>Registers a liveness check that passes while the process can answer at all.</summary>
    public static TBuilder AddDefaultHealthChecks<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.Services.AddHealthChecks()
            .AddCheck("self", () => HealthCheckResult.Healthy(), [HealthEndpoints.LiveTag]);

        return builder;
    }

    /// <summary>
    /// Maps <c>/health</c> (readiness) and <c>/alive</c> (liveness). They are mapped in every
    /// environment: a balancer in front of the service probes them in production too.
    /// </summary>
    public static WebApplication MapDefaultEndpoints(this WebApplication app)
    {
        app.MapHealthChecks(HealthEndpoints.ReadinessPath);
        app.MapHealthChecks(HealthEndpoints.LivenessPath, new HealthCheckOptions
        {
            Predicate = registration => registration.Tags.Contains(HealthEndpoints.LiveTag),
        });

        return app;
    }
}
