using Microsoft.Playwright;
using MyDocker.Bench;

/// <summary>
/// Event to DOM on the containers page: LISTED running containers (busybox sleep) listed, then `stop` of one from the
/// CLI per round, timed until its row's state cell reads "exited" (a MutationObserver in the page stamps the moment).
/// Each round stops a different container, so the table keeps its size and every stop is a real exit.
/// </summary>
static class ContainerLatency
{
    public static async Task<int> RunAsync(string chromium, string loginUrl, Action<string[]> cli, int rounds, int listed)
    {
        if (rounds > listed) throw new ArgumentException("ROUNDS must not exceed LISTED: each round stops another listed container");
        for (int i = 0; i < listed; i++) cli(["run", "-d", "--name", $"pad-{i:D4}", "busybox", "sleep", "3600"]);

        await using var dashboard = await DashboardBrowser.OpenAsync(chromium, loginUrl);
        var page = dashboard.Page;
        await page.GotoAsync(new Uri(new Uri(loginUrl), "/containers").ToString());
        await Assertions.Expect(page.GetByTestId("connection")).ToHaveTextAsync("live");
        await Assertions.Expect(page.Locator("tr[data-container]")).ToHaveCountAsync(listed, new() { Timeout = 30_000 });
        var watch = await EventToDom.InstallAsync(page, cli, "containers", """
            (table, w) => {
              const cell = table.querySelector(`tr[data-container="${w.name}"] [data-testid=state]`);
              return cell !== null && cell.textContent === w.state;
            }
            """);
        for (int i = 0; i < rounds; i++)
        {
            string name = $"pad-{i:D4}";
            // -t 0: SIGKILL at once (sleep as pid 1 ignores SIGTERM, and the 10 s grace would be all the figure shows).
            await watch.MeasureAsync(new { name, state = "exited" }, "stop", "-t", "0", name);
        }
        Console.WriteLine($"{listed} containers listed ({listed} running at the start); `stop -t 0` of one from the CLI, to its row showing \"exited\" in an open page (ms)");
        Console.WriteLine($"  from the command's start: {Figures.Stats(watch.FromStart)}");
        Console.WriteLine($"  from the command's exit:  {Figures.Stats(watch.FromExit)}  (negative: the row changed before the CLI had exited; stop answers after the exit is recorded)");
        return 0;
    }
}
