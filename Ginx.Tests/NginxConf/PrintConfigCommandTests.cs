using Ginx.Proxy.NginxConf;
using Microsoft.Extensions.Configuration;

namespace Ginx.Tests.NginxConf;

public sealed class PrintConfigCommandTests
{
    private static (int ExitCode, string Output, string Error) Run(params string[] args)
    {
        Assert.True(PrintConfigCommand.IsRequested(args, out var rest));
        var configuration = new ConfigurationBuilder().AddCommandLine(rest).Build();
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exitCode = PrintConfigCommand.Run(configuration, output, error);
        return (exitCode, output.ToString(), error.ToString());
    }

    [Fact]
    public void Run_ValidFile_PrintsItsJsonAndSucceeds()
    {
        var path = Path.Combine(NginxConfCorpus.Valid, "02-weights.conf");

        var (exitCode, output, error) = Run("--nginx-conf", path, "--print-config");

        Assert.Equal(0, exitCode);
        Assert.Equal(File.ReadAllText(Path.ChangeExtension(path, ".json")).ReplaceLineEndings("\n"), output);
        Assert.Empty(error);
    }

    [Fact]
    public void Run_SettingNamesTheFile_PrintsItsJson()
    {
        var path = Path.Combine(NginxConfCorpus.Valid, "01-minimal.conf");

        var (exitCode, output, _) = Run("--print-config", $"--{NginxConfSettings.PathKey}={path}");

        Assert.Equal(0, exitCode);
        Assert.Contains("\"LoadBalancingPolicy\": \"WeightedRoundRobin\"", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Run_BrokenFile_PrintsEveryProblemToStandardErrorAndFails()
    {
        var path = Path.Combine(NginxConfCorpus.Broken, "04-non-idempotent.conf");

        var (exitCode, output, error) = Run("--print-config", "--nginx-conf", path);

        Assert.Equal(1, exitCode);
        Assert.Empty(output);
        Assert.StartsWith(path + ":14: \"proxy_next_upstream error timeout non_idempotent\"", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Run_NoFileNamed_SaysWhatIsMissingAndFails()
    {
        var (exitCode, output, error) = Run("--print-config");

        Assert.Equal(1, exitCode);
        Assert.Empty(output);
        Assert.Contains("--nginx-conf", error, StringComparison.Ordinal);
    }
}
