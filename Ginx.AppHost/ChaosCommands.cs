using System.Net.Http.Json;

namespace Ginx.AppHost;

/// <summary>
/// Dashboard commands on every replica that make it misbehave on purpose, so the balancer's
/// reaction can be watched: each calls the replica's own <c>/chaos</c> endpoint. Aspire's built-in
/// Stop and Start kill and revive a replica.
/// </summary>
public static class ChaosCommands
{
    /// <summary>Adds 500 ms to every answer.</summary>
    public const string SlowDown = "ginx-slow-down";

    /// <summary>Answers half the requests with 503.</summary>
    public const string FailHalf = "ginx-fail-half";

    /// <summary>Stalls every answer for 300 ms once every 2 s, as a stop-the-world GC pause would.</summary>
    public const string Stall = "ginx-stall";

    /// <summary>Back to normal.</summary>
    public const string Heal = "ginx-heal";

    private static readonly HttpClient Client = new() { Timeout = TimeSpan.FromSeconds(10) };

    /// <summary>Adds the commands to <paramref name="replica"/>.</summary>
    public static IResourceBuilder<ProjectResource> WithChaosCommands(this IResourceBuilder<ProjectResource> replica)
    {
        var endpoint = replica.GetEndpoint("http");
        return replica
            .WithCommand(SlowDown, "Slow down",
                context => SetChaosAsync(endpoint, new { latencyMs = 500 }, context.CancellationToken),
                Options("Slow down: every answer takes 500 ms longer.", "Timer"))
            .WithCommand(FailHalf, "Fail half",
                context => SetChaosAsync(endpoint, new { errorRate = 0.5, errorStatus = 503 }, context.CancellationToken),
                Options("Fail half: half the requests are answered 503.", "ErrorCircle"))
            .WithCommand(Stall, "Stall",
                context => SetChaosAsync(endpoint, new { stallMs = 300, stallEveryMs = 2000 }, context.CancellationToken),
                Options("Stall: every 2 s the replica stalls for 300 ms, like a GC pause.", "Pause"))
            .WithCommand(Heal, "Heal",
                context => SetChaosAsync(endpoint, chaos: null, context.CancellationToken),
                Options("Heal: serve normally again.", "HeartPulse"));
    }

    private static CommandOptions Options(string description, string icon) => new()
    {
        Description = description,
        IconName = icon,
        // Running, not healthy: a replica the proxy ejected reads unhealthy (its proxy-view report),
        // and that is when Heal is wanted most.
        UpdateState = context => context.ResourceSnapshot.State?.Text == KnownResourceStates.Running
            ? ResourceCommandState.Enabled
            : ResourceCommandState.Disabled,
    };

    private static async Task<ExecuteCommandResult> SetChaosAsync(EndpointReference endpoint, object? chaos, CancellationToken cancellationToken)
    {
        var address = new Uri(new Uri(endpoint.Url), "/chaos");
        try
        {
            using var response = chaos is null
                ? await Client.DeleteAsync(address, cancellationToken)
                : await Client.PostAsJsonAsync(address, chaos, cancellationToken);
            return response.IsSuccessStatusCode
                ? CommandResults.Success()
                : CommandResults.Failure($"The replica answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(cancellationToken)}");
        }
        catch (HttpRequestException exception)
        {
            return CommandResults.Failure($"The replica could not be reached: {exception.Message}");
        }
    }
}
