using System.Net.Sockets;
using Ginx.Proxy.Admin;

namespace Ginx.Proxy.Management;

/// <summary>
/// A listener that cannot be bound (its port taken, or not ours to take) as one line naming the
/// address, the reason and the setting that changes it: an operator has nothing to learn from the
/// stack trace of Kestrel's start.
/// </summary>
internal static class ListenerBindFailure
{
    /// <summary>Whether <paramref name="exception"/> is Kestrel failing to bind a listener.</summary>
    public static bool Is(Exception exception) => exception is IOException or SocketException;

    /// <summary>The one line that says which listener failed, why, and where to change it.</summary>
    public static string Describe(Exception exception, IServiceProvider services)
    {
        // Kestrel's message names the address and the reason: "Failed to bind to address
        // http://127.0.0.1:9901: address already in use."
        var reason = exception.InnerException is { } inner && !exception.Message.Contains(inner.Message, StringComparison.OrdinalIgnoreCase)
            ? $"{exception.Message.TrimEnd('.')} ({inner.Message.TrimEnd('.')})"
            : exception.Message.TrimEnd('.');
        var setting = IsAdmin(exception.Message, services)
            ? "Ginx:Admin:Urls sets the admin listener"
            : "--urls, ASPNETCORE_URLS or Kestrel:Endpoints set the public listener";
        return $"Ginx cannot start: {reason}; {setting}.";
    }

    // Kestrel's options, and so the admin listener's addresses, are built before it binds.
    private static bool IsAdmin(string message, IServiceProvider services) =>
        services.GetService<AdminListener>()?.Addresses.Any(address => message.Contains($"{address.Host}:{address.Port}", StringComparison.OrdinalIgnoreCase)) == true;
}
