using Ginx.Proxy.Utilities;

namespace Ginx.Proxy.Management;

/// <summary>
/// <c>--check</c>, as <c>nginx -t</c>: reads and validates the whole configuration as a start would
/// (the JSON files, an nginx file, Ginx's options, YARP's routes and clusters), prints every problem
/// or that the configuration is fine, and exits without binding a listener.
/// </summary>
internal static class ConfigurationCheckCommand
{
    /// <summary>The command-line switch.</summary>
    public const string Switch = "--check";

    /// <summary>What a configuration without problems prints.</summary>
    public const string Passed = "configuration OK";

    /// <summary>Whether <paramref name="args"/> ask for it; <paramref name="rest"/> are the other arguments.</summary>
    public static bool IsRequested(string[] args, out string[] rest) => CommandLineSwitch.IsGiven(args, Switch, out rest);

    /// <summary>
    /// Keeps the log quiet: the command prints the problems itself, once, where a start would log
    /// them as a failed start.
    /// </summary>
    public static void Prepare(WebApplicationBuilder builder) => builder.Logging.ClearProviders();
}
