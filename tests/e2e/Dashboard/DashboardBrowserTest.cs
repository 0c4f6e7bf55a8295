using Microsoft.Playwright;
using MyDocker.E2ETests.Infrastructure;

namespace MyDocker.E2ETests.Dashboard;

/// <summary>
/// A daemon with its dashboard in a throw-away netns, and Debian's Chromium driven by Playwright inside that netns.
/// Playwright launches the browser itself, so a wrapper script that enters the netns is its ExecutablePath
/// (<c>nsenter --net</c> switches only the network namespace: FACTS.md). Screenshots go to the test output's
/// screenshots directory.
/// </summary>
public abstract class DashboardBrowserTest : IAsyncLifetime
{
    // Offline, as root (FACTS.md): no sandbox, and nothing that would reach out to Google's services.
    private static readonly string[] ChromiumArgs =
        ["--no-sandbox", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"];

    private readonly string _shots = Path.Combine(AppContext.BaseDirectory, "screenshots");
    private IPlaywright? _playwright;
    private IBrowser? _browser;

    /// <param name="purpose">Names the daemon's netns.</param>
    /// <param name="port">The dashboard's port: distinct per class, as xunit runs test classes in parallel.</param>
    protected DashboardBrowserTest(string purpose, int port)
    {
        Port = port;
        D = new DaemonUnderTest(purpose, start: false);
        D.ExtraArgs.AddRange(["--dashboard-port", port.ToString()]);
    }

    /// <summary>The daemon under test; started by <see cref="InitializeAsync"/>.</summary>
    protected DaemonUnderTest D { get; }

    /// <summary>The dashboard's port, in the daemon's netns.</summary>
    protected int Port { get; }

    protected IBrowser Browser => _browser ?? throw new InvalidOperationException("the browser was not launched");

    /// <summary>Runs before the daemon starts (e.g. to put the busybox image where the seed looks for it).</summary>
    protected virtual void BeforeStart() { }

    public async Task InitializeAsync()
    {
        // xunit does not call DisposeAsync when InitializeAsync throws: clean up here, or the daemon and its netns are
        // left behind (a Chromium that fails to launch would otherwise leak both).
        try { await SetUpAsync(); }
        catch
        {
            await DisposeAsync();
            throw;
        }
    }

    private async Task SetUpAsync()
    {
        BeforeStart();
        D.Start();
        string wrapper = Path.Combine(D.Root, "chromium-in-netns");
        await File.WriteAllTextAsync(wrapper, $"#!/bin/sh\nexec nsenter --net={D.Netns.Path} /usr/bin/chromium \"$@\"\n");
        File.SetUnixFileMode(wrapper, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        Directory.CreateDirectory(_shots);
        _playwright = await Playwright.CreateAsync();
        _browser = await _playwright.Chromium.LaunchAsync(new() { ExecutablePath = wrapper, Args = ChromiumArgs });
    }

    /// <summary>A page of the dashboard, under the host name its latest login URL carries.</summary>
    protected string DashboardUrl(string path) => new Uri(new Uri(DashboardAccessTests.LoginUrl(D)), path).ToString();

    /// <summary>A full-page screenshot to screenshots/<paramref name="name"/>.</summary>
    protected Task Shot(IPage page, string name) => page.ScreenshotAsync(new() { Path = Path.Combine(_shots, name), FullPage = true });

    /// <summary>
    /// From now on, what the Content Security Policy refuses on <paramref name="page"/> (an inline script or style that
    /// MudBlazor or Blazor needs): Chromium reports each as a console error. The handler adds under a lock on the
    /// list: read it under the same lock.
    /// </summary>
    protected static List<string> CspRefusals(IPage page)
    {
        var refused = new List<string>();
        page.Console += (_, m) => { if (m.Text.Contains("Content Security Policy") || m.Text.Contains("Refused to")) lock (refused) refused.Add(m.Text); };
        return refused;
    }

    /// <summary>Closes the browser; safe to call more than once (an override may close it before its own clean-up).</summary>
    protected async Task CloseBrowserAsync()
    {
        if (_browser is not null) await _browser.DisposeAsync();
        _browser = null;
        _playwright?.Dispose();
        _playwright = null;
    }

    public virtual async Task DisposeAsync()
    {
        try { await CloseBrowserAsync(); }
        finally { D.Dispose(); }
    }
}
