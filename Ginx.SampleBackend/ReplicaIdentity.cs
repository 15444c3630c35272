using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace Ginx.SampleBackend;

/// <summary>
/// The name this replica answers with, so a client behind the balancer can tell replicas apart.
/// Aspire sets <c>OTEL_SERVICE_NAME</c> to the resource name (<c>backend-2</c>); run by hand, the
/// replica takes <c>Backend:Name</c>, else the host and port it listens on.
/// </summary>
public sealed class ReplicaIdentity(IConfiguration configuration, IServer server)
{
    /// <summary>The header every response carries.</summary>
    public const string HeaderName = "X-Replica";

    private string? _name;

    /// <summary>The replica's name; resolved on first use, once the server knows its addresses.</summary>
    public string Name => _name ??= Resolve();

    private string Resolve()
    {
        var configured = configuration["OTEL_SERVICE_NAME"];
        if (string.IsNullOrWhiteSpace(configured))
        {
            configured = configuration["Backend:Name"];
        }

        if (!string.IsNullOrWhiteSpace(configured))
        {
            return configured;
        }

        var address = server.Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault();
        if (address is not null && BindingAddress.Parse(address) is { } binding)
        {
            var host = binding.Host is "*" or "+" or "0.0.0.0" or "[::]" ? Environment.MachineName : binding.Host;
            return $"{host}:{binding.Port}";
        }

        return Environment.MachineName;
    }
}
