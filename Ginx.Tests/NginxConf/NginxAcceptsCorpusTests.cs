using System.Diagnostics;

namespace Ginx.Tests.NginxConf;

/// <summary>nginx itself (<c>nginx -t</c>) accepts every valid configuration of the corpus: it is nginx, not Ginx's idea of it.</summary>
public sealed class NginxAcceptsCorpusTests
{
    private const string SkipMarker = "# nginx -t: skip";

    [Theory]
    [MemberData(nameof(NginxConfCorpus.ValidFiles), MemberType = typeof(NginxConfCorpus))]
    public async Task NginxTest_ValidCorpusFile_IsValidNginx(string file)
    {
        var nginx = FindNginx();
        Assert.SkipWhen(nginx is null, "nginx is not installed (not on PATH nor in /usr/sbin).");
        var path = Path.Combine(NginxConfCorpus.Valid, file);
        var firstLine = File.ReadLines(path).First();
        Assert.SkipWhen(firstLine.StartsWith(SkipMarker, StringComparison.Ordinal), firstLine);

        // A prefix of its own, so nginx writes its pid and logs nowhere shared and needs no privilege.
        var prefix = Directory.CreateTempSubdirectory("ginx-nginx-t-");
        try
        {
            Directory.CreateDirectory(Path.Combine(prefix.FullName, "logs"));
            var start = new ProcessStartInfo(nginx!)
            {
                ArgumentList = { "-t", "-p", prefix.FullName + "/", "-c", path, "-g", $"pid {prefix.FullName}/nginx.pid; error_log stderr;" },
                RedirectStandardError = true,
                RedirectStandardOutput = true,
            };
            using var process = Process.Start(start)!;
            var errors = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
            await process.WaitForExitAsync(TestContext.Current.CancellationToken).WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);

            Assert.True(process.ExitCode == 0, await errors);
        }
        finally
        {
            prefix.Delete(recursive: true);
        }
    }

    private static string? FindNginx() =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Append("/usr/sbin")
            .Select(directory => Path.Combine(directory, "nginx"))
            .FirstOrDefault(File.Exists);
}
