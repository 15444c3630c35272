using Microsoft.AspNetCore.Http;

namespace Ginx.Proxy.Admin;

/// <summary>
/// The public URLs, read from configuration before the host would bind them itself. Null
/// <see cref="Addresses"/> means Kestrel's own <c>Kestrel:Endpoints</c> configuration binds them.
/// </summary>
internal sealed class PublicListenerUrls(IReadOnlyList<BindingAddress> addresses)
{
    public IReadOnlyList<BindingAddress> Addresses { get; } = addresses;
}
