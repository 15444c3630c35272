using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Options;

namespace Ginx.Proxy.Admin;

/// <summary>
/// Binds Kestrel's listeners: the public ones, and the admin ones of <see cref="GinxAdminOptions"/>.
/// Every connection accepted on an admin listener is marked as such when it opens, so an admin
/// endpoint can be refused on the public listener by where the connection arrived, which a client
/// cannot forge (a Host header it can).
/// </summary>
internal sealed class AdminListener(IOptions<GinxAdminOptions> options, PublicListenerUrls publicUrls) : IConfigureOptions<KestrelServerOptions>
{
    private static readonly object AdminConnectionKey = new();

    private readonly List<(ListenOptions Listener, string Scheme)> _adminListeners = [];
    private List<BindingAddress> _addresses = [];

    /// <summary>The admin addresses as configured (port 0 as written); empty before Kestrel's options are built.</summary>
    public IReadOnlyList<BindingAddress> Addresses => _addresses;

    /// <summary>The admin addresses Kestrel bound, ports chosen by the system included; empty before start.</summary>
    public IReadOnlyList<Uri> BoundAddresses
    {
        get
        {
            var bound = new List<Uri>();
            foreach (var (listener, scheme) in _adminListeners)
            {
                if (listener.IPEndPoint is { } endPoint)
                {
                    bound.Add(new Uri($"{scheme}://{endPoint}"));
                }
            }

            return bound;
        }
    }

    /// <summary>Whether the request arrived on an admin listener.</summary>
    public static bool IsAdminConnection(HttpContext context) =>
        context.Features.Get<IConnectionItemsFeature>()?.Items.ContainsKey(AdminConnectionKey) == true;

    public void Configure(KestrelServerOptions kestrel)
    {
        _addresses = [];
        foreach (var url in ListenerAddresses.Split(AdminUrls()))
        {
            if (ListenerAddresses.TryParse(url, out var address))
            {
                _addresses.Add(address);
                ListenerAddresses.Listen(kestrel, address, listener => MarkAdmin(listener, address.Scheme));
            }
        }

        foreach (var address in publicUrls.Addresses)
        {
            // Aspire lists every endpoint of the resource in ASPNETCORE_URLS, the admin one too; a
            // URL configured as admin is bound once, as admin.
            if (!_addresses.Exists(adminAddress => ListenerAddresses.SameListener(adminAddress, address)))
            {
                ListenerAddresses.Listen(kestrel, address, static _ => { });
            }
        }
    }

    // Kestrel's options are built with the host, before the application can report a bad
    // configuration the way it reports the others; MapGinxAdmin reports it, and start-up stops there.
    private string? AdminUrls()
    {
        try
        {
            return options.Value.Urls;
        }
        catch (OptionsValidationException)
        {
            return null;
        }
    }

    private void MarkAdmin(ListenOptions listener, string scheme)
    {
        _adminListeners.Add((listener, scheme));
        listener.Use(next => connection =>
        {
            connection.Items[AdminConnectionKey] = true;
            return next(connection);
        });
    }
}
