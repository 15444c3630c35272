using Microsoft.Playwright;

namespace Ginx.Tests.Topology;

/// <summary>
/// A headless chromium driven by Playwright: the system's own (<see cref="ExecutablePath"/>), since
/// Playwright's browser download needs the internet. <c>.ci/run</c> installs it when missing.
/// </summary>
public sealed class SystemChromium : IAsyncLifetime
{
    public const string ExecutablePath = "/usr/bin/chromium";

    private IPlaywright? _playwright;
    private IBrowser? _browser;

    public IBrowser Browser => _browser ?? throw new InvalidOperationException("The browser has not started.");

    public async ValueTask InitializeAsync()
    {
        Assert.True(File.Exists(ExecutablePath), $"No chromium at {ExecutablePath}: apt-get install -y chromium");
        _playwright = await Playwright.CreateAsync();
        _browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ExecutablePath,
            Headless = true,
            // As root (CI containers), chromium refuses to start inside its sandbox.
            Args = ["--no-sandbox"],
        });
    }

    public async ValueTask DisposeAsync()
    {
        if (_browser is not null)
        {
            await _browser.DisposeAsync();
        }

        _playwright?.Dispose();
    }
}
