using Ginx.Proxy.Utilities;

namespace Ginx.Proxy.NginxConf;

/// <summary>
/// <c>--print-config</c>: prints the YARP and Ginx JSON equivalent to the nginx configuration
/// (<c>--nginx-conf</c> or <c>Ginx:NginxConf</c>) and exits, without starting the proxy. Its problems
/// go to standard error, one <c>file:line: message</c> a line, and the exit code is 1.
/// </summary>
public static class PrintConfigCommand
{
    /// <summary>The command-line switch.</summary>
    public const string Switch = "--print-config";

    /// <summary>Whether <paramref name="args"/> ask for it; <paramref name="rest"/> are the other arguments.</summary>
    public static bool IsRequested(string[] args, out string[] rest) => CommandLineSwitch.IsGiven(args, Switch, out rest);

    /// <summary>Prints and returns the exit code.</summary>
    public static int Run(IConfiguration configuration, TextWriter output, TextWriter error)
    {
        if (NginxConfSettings.PathFrom(configuration) is not { } path)
        {
            error.WriteLine($"{Switch} prints the configuration read from an nginx file: give it with --nginx-conf path/nginx.conf.");
            return 1;
        }

        var load = NginxConfLoader.Load(path);
        if (load.Translation is not { } translation)
        {
            foreach (var problem in load.Problems)
            {
                error.WriteLine(problem);
            }

            return 1;
        }

        output.Write(NginxConfJsonWriter.Write(translation));
        return 0;
    }
}
