using Aspire.Hosting.Eventing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;

namespace Ginx.AppHost;

/// <summary>
/// Puts the traffic generator on the proxy resource: started once the proxy is healthy (when
/// <see cref="TrafficOptions.Enabled"/>), and driven from the dashboard by three commands.
/// </summary>
internal static class TrafficCommands
{
    public const string Start = "start-traffic";
    public const string Stop = "stop-traffic";
    public const string Burst = "burst-traffic";
    public const int BurstSize = 1000;

    public static IResourceBuilder<ProjectResource> WithTrafficGenerator(
        this IResourceBuilder<ProjectResource> proxy, TrafficOptions options)
    {
        var services = proxy.ApplicationBuilder.Services;
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton(provider => new TrafficGenerator(
            options, provider.GetRequiredService<TimeProvider>(), provider.GetRequiredService<ILogger<TrafficGenerator>>()));

        var endpoint = proxy.GetEndpoint("http");
        var grpc = proxy.GetEndpoint(ProxyProtocolsExtensions.GrpcEndpointName);
        Uri Target() => new(endpoint.Url);
        static TrafficGenerator Generator(IServiceProvider services) => services.GetRequiredService<TrafficGenerator>();

        if (options.Enabled)
        {
            proxy.ApplicationBuilder.Eventing.Subscribe<ResourceReadyEvent>(proxy.Resource, (ready, _) =>
            {
                Generator(ready.Services).Start(Target(), new Uri(grpc.Url));
                return Task.CompletedTask;
            });
        }

        return proxy
            .WithCommand(Start, "Start traffic", context =>
            {
                Generator(context.Services).Start(Target(), new Uri(grpc.Url));
                return Task.FromResult(CommandResults.Success());
            }, new CommandOptions
            {
                Description = $"Start traffic: send a mixed workload through the proxy, about {options.RatePerSecond} requests/s.",
                IconName = "Play",
                IsHighlighted = true,
                UpdateState = WhenHealthy,
            })
            .WithCommand(Stop, "Stop traffic", async context =>
            {
                await Generator(context.Services).StopAsync();
                return CommandResults.Success();
            }, new CommandOptions
            {
                Description = "Stop traffic: stop the generated workload.",
                IconName = "Stop",
                IsHighlighted = true,
                UpdateState = WhenHealthy,
            })
            .WithCommand(Burst, "Burst 1,000 requests", async context =>
            {
                var failures = await Generator(context.Services).BurstAsync(Target(), BurstSize, context.CancellationToken);
                return CommandResults.Success($"{BurstSize} requests sent, {failures} failed.");
            }, new CommandOptions
            {
                Description = $"Burst: send {BurstSize} requests at once.",
                IconName = "Flash",
                UpdateState = WhenHealthy,
            });
    }

    // A command on a proxy that is not up would only fail.
    private static ResourceCommandState WhenHealthy(UpdateCommandStateContext context) =>
        context.ResourceSnapshot.HealthStatus == HealthStatus.Healthy ? ResourceCommandState.Enabled : ResourceCommandState.Disabled;
}
