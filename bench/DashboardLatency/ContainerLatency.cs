using Microsoft.Playwright;

/// <summary>
/// Event to DOM on the containers page: LISTED running containers (busybox sleep) listed, then `stop` of one from the
/// CLI per round, timed until its row's state cell reads "exited" (a MutationObserver in the page stamps the moment).
/// Each round stops a different container, so the table keeps its size and every stop is a real exit.
/// </summary>
static class ContainerLatency
{
    public static async Task<int> RunAsync(string chromium, string loginUrl, Action<string[]> cli, Func<double> now, int rounds, int listed)
    {
        if (rounds > listed) throw new ArgumentException("ROUNDS must not exceed LISTED: each round stops another listed container");
        for (int i = 0; i < listed; i++) cli(["run", "-d", "--name", $"pad-{i:D4}", "busybox", "sleep", "3600"]);

        await using var dashboard = await MyDocker.Bench.DashboardBrowser.OpenAsync(chromium, loginUrl);
        var page = dashboard.Page;
        await page.GotoAsync(new Uri(new Uri(loginUrl), "/containers").ToString());
        await Assertions.Expect(page.GetByTestId("connection")).ToHaveTextAsync("live");
        await Assertions.Expect(page.Locator("tr[data-container]")).ToHaveCountAsync(listed, new() { Timeout = 30_000 });
        await page.EvaluateAsync("""
            () => {
              const table = document.querySelector('[data-testid=containers]');
              window.__want = null;
              window.__seen = null;
              new MutationObserver(() => {
                const w = window.__want;
                if (!w || window.__seen !== null) return;
                const cell = table.querySelector(`tr[data-container="${w.name}"] [data-testid=state]`);
                if (cell && cell.textContent === w.state) window.__seen = performance.timeOrigin + performance.now();
              }).observe(table, { subtree: true, childList: true, characterData: true });
            }
            """);

        var fromStart = new List<double>();
        var fromExit = new List<double>();
        for (int i = 0; i < rounds; i++)
        {
            string name = $"pad-{i:D4}";
            await page.EvaluateAsync("w => { window.__seen = null; window.__want = w; }", new { name, state = "exited" });
            double start = now();
            // -t 0: SIGKILL at once (sleep as pid 1 ignores SIGTERM, and the 10 s grace would be all the figure shows).
            cli(["stop", "-t", "0", name]);
            double exit = now();
            var handle = await page.WaitForFunctionAsync("() => window.__seen", null, new() { Timeout = 10_000, PollingInterval = 5 });
            double seen = await handle.JsonValueAsync<double>();
            fromStart.Add(seen - start);
            fromExit.Add(seen - exit);
            // Longer than the page's batching window (100 ms): each stop is a lone change, as a user's is.
            await Task.Delay(250);
        }
        Console.WriteLine($"{listed} containers listed ({listed} running at the start); `stop -t 0` of one from the CLI, to its row showing \"exited\" in an open page (ms)");
        Console.WriteLine($"  from the command's start: {Figures.Stats(fromStart)}");
        Console.WriteLine($"  from the command's exit:  {Figures.Stats(fromExit)}  (negative: the row changed before the CLI had exited; stop answers after the exit is recorded)");
        return 0;
    }
}
