using System.Diagnostics;

namespace Ginx.Tests.Support;

/// <summary>The proxy built next to the tests, run as a process, as an operator runs it.</summary>
internal static class ProxyProcess
{
    /// <summary>Runs it, its logs at Warning, and returns its exit code and every non-empty line it wrote.</summary>
    public static async Task<(int ExitCode, List<string> Output)> RunAsync(CancellationToken cancellationToken, params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = AppContext.BaseDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Ginx.Proxy.dll"));
        start.ArgumentList.Add("--Logging:LogLevel:Default=Warning");
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        try
        {
            await process.WaitForExitAsync(cancellationToken).WaitAsync(TimeSpan.FromSeconds(60), cancellationToken);
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }

        var output = (await stdout + "\n" + await stderr)
            .Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .ToList();
        return (process.ExitCode, output);
    }
}
