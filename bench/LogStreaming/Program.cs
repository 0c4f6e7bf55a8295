// Log streaming into an open dashboard page: a container writes LINES lines as fast as it can (busybox seq through
// `mydocker exec`, to PID 1's stdout, i.e. conmon's pipe) while the page follows its log. Measured in the page:
// lines delivered per second (the viewer's "new since opened" counter), the round trip of a click on "Wrap lines"
// (browser -> circuit -> render -> DOM) sampled every 250 ms during the flood, the main thread's worst timer lag, and
// the JS heap and DOM size (CDP Performance.getMetrics after a forced GC) before and after.
// Usage: LogStreaming CHROMIUM_WRAPPER LOGIN_URL MYDOCKER SOCKET CONTAINER LINES
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Microsoft.Playwright;
using MyDocker.Bench;

if (args.Length != 6)
{
    Console.Error.WriteLine("usage: LogStreaming CHROMIUM_WRAPPER LOGIN_URL MYDOCKER SOCKET CONTAINER LINES");
    return 2;
}
var (chromium, loginUrl, cli, socket, container) = (args[0], args[1], args[2], args[3], args[4]);
long lines = long.Parse(args[5]);
string baseUrl = new Uri(loginUrl).GetLeftPart(UriPartial.Authority);

await using var dashboard = await DashboardBrowser.OpenAsync(chromium, loginUrl);
var page = dashboard.Page;
await page.GotoAsync($"{baseUrl}/containers/{container}/logs");
await Assertions.Expect(page.GetByTestId("log-status")).ToContainTextAsync("following");
var cdp = await page.Context.NewCDPSessionAsync(page);
await cdp.SendAsync("Performance.enable");
async Task<(double HeapMb, double Nodes)> Metrics()
{
    await cdp.SendAsync("HeapProfiler.collectGarbage");
    var r = (await cdp.SendAsync("Performance.getMetrics"))!.Value.GetProperty("metrics").EnumerateArray()
        .ToDictionary(m => m.GetProperty("name").GetString()!, m => m.GetProperty("value").GetDouble());
    return (r["JSHeapUsedSize"] / 1048576.0, r["Nodes"]);
}
var before = await Metrics();

await page.EvaluateAsync("""
    () => {
      const counter = document.querySelector('[data-testid=log-received]');
      window.__samples = [];
      window.__lag = 0;
      let last = performance.now();
      window.__timer = setInterval(() => {
        const now = performance.now();
        window.__lag = Math.max(window.__lag, now - last - 50);
        last = now;
        window.__samples.push([now, parseInt(counter.textContent.replace(/[^0-9]/g, ''), 10)]);
      }, 50);
      window.__probe = (input) => new Promise(resolve => {
        const view = document.querySelector('[data-testid=log-lines]');
        const was = view.classList.contains('logs-wrap');
        const t0 = performance.now();
        const mo = new MutationObserver(() => {
          if (view.classList.contains('logs-wrap') !== was) { mo.disconnect(); resolve(performance.now() - t0); }
        });
        mo.observe(view, { attributes: true, attributeFilter: ['class'] });
        input.click();
      });
    }
    """);
var wrap = await page.GetByLabel("Wrap lines").ElementHandleAsync();

var flood = Stopwatch.StartNew();
var psi = new ProcessStartInfo(cli) { RedirectStandardOutput = true, RedirectStandardError = true };
foreach (var a in (string[])["-H", "unix://" + socket, "exec", container, "sh", "-c", $"seq 1 {lines} > /proc/1/fd/1"]) psi.ArgumentList.Add(a);
var exec = Process.Start(psi)!;
var execDone = exec.WaitForExitAsync().ContinueWith(_ => flood.Elapsed.TotalSeconds);

var roundTrips = new List<double>();
var deadline = DateTime.UtcNow.AddMinutes(10);
long received = 0;
bool execFailed = false;
while (received < lines && DateTime.UtcNow < deadline)
{
    // The lines come from the exec: once it has failed no more will come, so waiting out the deadline shows nothing.
    if (exec.HasExited && exec.ExitCode != 0) { execFailed = true; break; }
    roundTrips.Add(await page.EvaluateAsync<double>("i => window.__probe(i)", wrap));
    await Task.Delay(250);
    received = await page.EvaluateAsync<long>("() => window.__samples.length ? window.__samples[window.__samples.length - 1][1] : 0");
}
double writeSeconds = await execDone;
if (exec.ExitCode != 0) Console.Error.WriteLine("exec: " + await exec.StandardError.ReadToEndAsync());
var samples = (await page.EvaluateAsync<JsonElement>("() => { clearInterval(window.__timer); return window.__samples; }"))
    .EnumerateArray().Select(s => (T: s[0].GetDouble(), N: s[1].GetInt64())).ToList();
double lag = await page.EvaluateAsync<double>("() => window.__lag");
var after = await Metrics();
int rows = await page.Locator("[data-testid=log-lines] .log-row").CountAsync();
string shown = (await page.GetByTestId("log-status").TextContentAsync())!.Trim();

var moving = samples.Where(s => s.N > 0).ToList();
double first = moving.Count > 0 ? moving[0].T : 0, done = moving.FirstOrDefault(s => s.N >= lines).T;
double seconds = (done - first) / 1000;
// The best one-second window.
double peak = 0;
for (int i = 0, j = 0; i < samples.Count; i++)
{
    while (samples[i].T - samples[j].T > 1000) j++;
    if (samples[i].T - samples[j].T >= 900) peak = Math.Max(peak, (samples[i].N - samples[j].N) * 1000.0 / (samples[i].T - samples[j].T));
}
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{lines:N0} lines written by the container in {writeSeconds:F1} s ({lines / writeSeconds:N0} lines/s into conmon's log)"));
Console.WriteLine(received >= lines
    ? string.Create(CultureInfo.InvariantCulture, $"delivered to the open page in {seconds:F1} s: {lines / seconds:N0} lines/s on average, best second {peak:N0} lines/s")
    : execFailed ? $"NOT all delivered: the exec failed (exit {exec.ExitCode}) with {received:N0} delivered"
    : $"NOT all delivered within 10 minutes: {received:N0}");
Console.WriteLine($"click 'Wrap lines' to DOM change during the flood (ms): {Figures.Stats(roundTrips)}");
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"main thread: worst timer lag {lag:F0} ms (50 ms interval)"));
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"JS heap after GC: {before.HeapMb:F1} MB before, {after.HeapMb:F1} MB after {received:N0} lines; DOM nodes {before.Nodes:N0} -> {after.Nodes:N0}; log rows in the DOM {rows}"));
Console.WriteLine($"viewer status: {shown}");
return execFailed ? 1 : 0;
