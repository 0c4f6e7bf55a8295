using Microsoft.Playwright;

namespace MyDocker.Bench;

/// <summary>Debian's Chromium (through the wrapper that runs it in the daemon's netns), logged in to the dashboard with
/// the URL the daemon printed, the connection live. Shared by the dashboard benchmarks (linked into each project).</summary>
public sealed class DashboardBrowser : IAsyncDisposable
{
    private readonly IPlaywright _playwright;
    private readonly IBrowser _browser;

    public IPage Page { get; }

    private DashboardBrowser(IPlaywright playwright, IBrowser browser, IPage page) => (_playwright, _browser, Page) = (playwright, browser, page);

    public static async Task<DashboardBrowser> OpenAsync(string chromium, string loginUrl)
    {
        var playwright = await Playwright.CreateAsync();
        var browser = await playwright.Chromium.LaunchAsync(new()
        {
            ExecutablePath = chromium,
            Args = ["--no-sandbox", "--disable-background-networking", "--disable-component-update", "--no-first-run"],
        });
        var page = await browser.NewPageAsync();
        await page.GotoAsync(loginUrl);
        await Assertions.Expect(page.GetByTestId("connection")).ToHaveTextAsync("live");
        return new DashboardBrowser(playwright, browser, page);
    }

    public async ValueTask DisposeAsync()
    {
        await _browser.DisposeAsync();
        _playwright.Dispose();
    }
}
