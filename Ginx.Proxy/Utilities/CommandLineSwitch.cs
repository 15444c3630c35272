namespace Ginx.Proxy.Utilities;

/// <summary>A bare switch on the command line (<c>--check</c>), which the configuration's command-line source would not understand.</summary>
internal static class CommandLineSwitch
{
    /// <summary>Whether <paramref name="args"/> hold <paramref name="name"/>; <paramref name="rest"/> are the other arguments.</summary>
    public static bool IsGiven(string[] args, string name, out string[] rest)
    {
        rest = args.Where(arg => arg != name).ToArray();
        return rest.Length != args.Length;
    }
}
