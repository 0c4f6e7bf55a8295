// Event to DOM: from a CLI command that changes the engine to the change showing in an open dashboard page.
// The page records, with a MutationObserver, the wall-clock time at which the awaited row appears or disappears;
// the command's start and exit are taken here with the same clock (EventToDom.cs).
// Usage: DashboardLatency CHROMIUM_WRAPPER LOGIN_URL MYDOCKER SOCKET ROUNDS LISTED [networks|containers]
//   networks (default): LISTED networks listed on /networks; `network create`/`network rm`, to the row appearing/going.
//   containers: LISTED running containers listed on /containers; `stop` of one, to its row showing "exited".
using System.Diagnostics;
using Microsoft.Playwright;
using MyDocker.Bench;

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

if (containers) return await ContainerLatency.RunAsync(chromium, loginUrl, Cli, rounds, listed);

// Networks already listed, so every render carries a table of that size. Subnets from 10.200.0.0/16 as /24s, out
// of the way of the default pools.
for (int i = 0; i < listed; i++) Cli("network", "create", "--subnet", $"10.{200 + i / 256}.{i % 256}.0/24", $"pad-{i:D4}");

await using var dashboard = await DashboardBrowser.OpenAsync(chromium, loginUrl);
var page = dashboard.Page;
if (listed > 0) await Assertions.Expect(page.GetByTestId("networks")).ToContainTextAsync($"pad-{listed - 1:D4}", new() { Timeout = 30_000 });
var watch = await EventToDom.InstallAsync(page, Cli, "networks", "(table, w) => table.textContent.includes(w.name) === w.present");
for (int i = 0; i < rounds; i++)
{
    string name = $"lat-{i:D4}";
    await watch.MeasureAsync(new { name, present = true }, "network", "create", name);
    await watch.MeasureAsync(new { name, present = false }, "network", "rm", name);
}

Console.WriteLine($"{listed} networks listed; network create/rm from the CLI, to the row appearing/disappearing in an open page (ms)");
Console.WriteLine($"  from the command's start: {Figures.Stats(watch.FromStart)}");
Console.WriteLine($"  from the command's exit:  {Figures.Stats(watch.FromExit)}");
return 0;
