namespace Ginx.Proxy.Management;

/// <summary>
/// Until the host has started, keeps Kestrel's Critical and the host's Error about a failed start
/// (each with a stack trace) out of the log: Program says a listener that cannot be bound in one
/// line, with the setting to change. A filter of a category replaces the configured level for it,
/// so these two categories log from Warning up, which is where their operator-facing lines are.
/// </summary>
internal sealed class StartupFailureLogFilter
{
    /// <summary>The categories that log a failed start with a stack trace.</summary>
    public static readonly string[] Categories = ["Microsoft.AspNetCore.Server.Kestrel", "Microsoft.Extensions.Hosting.Internal.Host"];

    private volatile bool _started;

    public void Started() => _started = true;

    public bool Allows(LogLevel level) => level >= LogLevel.Warning && (_started || level < LogLevel.Error);
}
