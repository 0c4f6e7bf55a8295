// Event to DOM: from a CLI command that changes the engine to the change showing in an open dashboard page.
// The page records, with a MutationObserver, the wall-clock time at which the awaited row appears or disappears;
// the command's start and exit are taken here with the same clock (CLOCK_REALTIME on both sides, same machine).
// Usage: DashboardLatency CHROMIUM_WRAPPER LOGIN_URL MYDOCKER SOCKET ROUNDS LISTED [networks|containers]
//   networks (default): LISTED networks listed on /networks; `network create`/`network rm`, to the row appearing/going.
//   containers: LISTED running containers listed on /containers; `stop` of one, to its row showing "exited".
using System.Diagnostics;
using Microsoft.Playwright;

if (args.Length is not (6 or 7) || (args.Length == 7 && args[6] is not ("networks" or "containers")))
{
    Console.Error.WriteLine("usage: DashboardLatency CHROMIUM_WRAPPER LOGIN_URL MYDOCKER SOCKET ROUNDS LISTED [networks|containers]");
    return 2;
}
var (chromium, loginUrl, cli, socket) = (args[0], args[1], args[2], args[3]);
int rounds = int.Parse(args[4]), listed = int.Parse(args[5]);
bool containers = args.Length == 7 && args[6] == "containers";

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

if (containers) return await ContainerLatency.RunAsync(chromium, loginUrl, Cli, Now, rounds, listed);

// Networks already listed, so every render carries a table of that size. Subnets from 10.200.0.0/16 as /24s, out
// of the way of the default pools.
for (int i = 0; i < listed; i++) Cli("network", "create", "--subnet", $"10.{200 + i / 256}.{i % 256}.0/24", $"pad-{i:D4}");

await using var dashboard = await MyDocker.Bench.DashboardBrowser.OpenAsync(chromium, loginUrl);
var page = dashboard.Page;
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

Console.WriteLine($"{listed} networks listed; network create/rm from the CLI, to the row appearing/disappearing in an open page (ms)");
Console.WriteLine($"  from the command's start: {Figures.Stats(fromStart)}");
Console.WriteLine($"  from the command's exit:  {Figures.Stats(fromExit)}");
return 0;
