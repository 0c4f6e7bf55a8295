// Event to DOM: from a CLI command that changes the engine to the change showing in an open dashboard page.
// The page records, with a MutationObserver, the wall-clock time at which the awaited row appears or disappears;
// the command's start and exit are taken here with the same clock (CLOCK_REALTIME on both sides, same machine).
// Usage: DashboardLatency CHROMIUM_WRAPPER LOGIN_URL MYDOCKER SOCKET ROUNDS LISTED
using System.Diagnostics;
using Microsoft.Playwright;

if (args.Length != 6)
{
    Console.Error.WriteLine("usage: DashboardLatency CHROMIUM_WRAPPER LOGIN_URL MYDOCKER SOCKET ROUNDS LISTED");
    return 2;
}
var (chromium, loginUrl, cli, socket) = (args[0], args[1], args[2], args[3]);
int rounds = int.Parse(args[4]), listed = int.Parse(args[5]);

void Cli(params string[] a)
{
    var psi = new ProcessStartInfo(cli) { RedirectStandardOutput = true, RedirectStandardError = true };
    foreach (var x in (string[])["-H", "unix://" + socket, .. a]) psi.ArgumentList.Add(x);
    using var p = Process.Start(psi)!;
    string err = p.StandardError.ReadToEnd();
    p.StandardOutput.ReadToEnd();
    p.WaitForExit();
    if (p.ExitCode != 0) throw new InvalidOperationException($"mydocker {string.Join(' ', a)}: {err}");
}
static double Now() => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() + (DateTime.UtcNow.Ticks % TimeSpan.TicksPerMillisecond) / 10_000.0;

// Networks already listed, so every render carries a table of that size. Subnets from 10.200.0.0/16 as /24s, out
// of the way of the default pools.
for (int i = 0; i < listed; i++) Cli("network", "create", "--subnet", $"10.{200 + i / 256}.{i % 256}.0/24", $"pad-{i:D4}");

using var playwright = await Playwright.CreateAsync();
await using var browser = await playwright.Chromium.LaunchAsync(new()
{
    ExecutablePath = chromium,
    Args = ["--no-sandbox", "--disable-background-networking", "--disable-component-update", "--no-first-run"],
});
var page = await browser.NewPageAsync();
await page.GotoAsync(loginUrl);
await Assertions.Expect(page.GetByTestId("connection")).ToHaveTextAsync("live");
if (listed > 0) await Assertions.Expect(page.GetByTestId("networks")).ToContainTextAsync($"pad-{listed - 1:D4}", new() { Timeout = 30_000 });
await page.EvaluateAsync("""
    () => {
      const table = document.querySelector('[data-testid=networks]');
      window.__want = null;
      window.__seen = null;
      new MutationObserver(() => {
        const w = window.__want;
        if (w && window.__seen === null && table.textContent.includes(w.name) === w.present)
          window.__seen = performance.timeOrigin + performance.now();
      }).observe(table, { subtree: true, childList: true, characterData: true });
    }
    """);

var fromStart = new List<double>();
var fromExit = new List<double>();
async Task Measure(string name, bool present, params string[] command)
{
    await page.EvaluateAsync("w => { window.__seen = null; window.__want = w; }", new { name, present });
    double start = Now();
    Cli(command);
    double exit = Now();
    var handle = await page.WaitForFunctionAsync("() => window.__seen", null, new() { Timeout = 10_000, PollingInterval = 5 });
    double seen = await handle.JsonValueAsync<double>();
    fromStart.Add(seen - start);
    fromExit.Add(seen - exit);
    // A pause longer than the page's batching window (100 ms), so each change is a lone event as a user's stop is;
    // changes closer together are coalesced on purpose (one render per window) and wait for the window's end.
    await Task.Delay(250);
}
for (int i = 0; i < rounds; i++)
{
    string name = $"lat-{i:D4}";
    await Measure(name, true, "network", "create", name);
    await Measure(name, false, "network", "rm", name);
}

static string Stats(List<double> v)
{
    var s = v.Order().ToList();
    double median = s.Count % 2 == 1 ? s[s.Count / 2] : (s[s.Count / 2 - 1] + s[s.Count / 2]) / 2;
    double p95 = s[Math.Min(s.Count - 1, (int)Math.Ceiling(0.95 * s.Count) - 1)];
    return $"median {median:F1}  p95 {p95:F1}  min {s[0]:F1}  max {s[^1]:F1}  n {s.Count}";
}
Console.WriteLine($"{listed} networks listed; network create/rm from the CLI, to the row appearing/disappearing in an open page (ms)");
Console.WriteLine($"  from the command's start: {Stats(fromStart)}");
Console.WriteLine($"  from the command's exit:  {Stats(fromExit)}");
return 0;
