using Microsoft.AspNetCore.Http;

namespace Ginx.Proxy.Admin;

/// <summary>
/// The public URLs Ginx binds, read from configuration before the host would bind them itself;
/// those of <c>Kestrel:Endpoints</c> are not among them: Kestrel binds those.
/// </summary>
internal sealed class PublicListenerUrls(IReadOnlyList<BindingAddress> addresses)
{
    public IReadOnlyList<BindingAddress> Addresses { get; } = addresses;
}
