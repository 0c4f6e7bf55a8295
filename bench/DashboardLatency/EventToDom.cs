using Microsoft.Playwright;

namespace MyDocker.Bench;

/// <summary>
/// Times a CLI command to the change it makes in an open page: a MutationObserver on one table stamps the wall-clock
/// moment (performance.timeOrigin + now) at which a condition about the awaited row first holds; the command's start
/// and exit are taken here on the same clock (CLOCK_REALTIME on both sides, same machine).
/// </summary>
sealed class EventToDom
{
    private readonly IPage _page;
    private readonly Action<string[]> _cli;

    public List<double> FromStart { get; } = [];
    public List<double> FromExit { get; } = [];

    private EventToDom(IPage page, Action<string[]> cli) => (_page, _cli) = (page, cli);

    /// <summary>Wall-clock ms since the Unix epoch, with sub-ms ticks (the page's clock is the same one).</summary>
    public static double Now() => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() + (DateTime.UtcNow.Ticks % TimeSpan.TicksPerMillisecond) / 10_000.0;

    /// <summary>Installs the observer on the table with data-testid <paramref name="tableTestId"/>.
    /// <paramref name="holds"/> is a JS function (table, want) => bool; want is what <see cref="MeasureAsync"/> is given.</summary>
    public static async Task<EventToDom> InstallAsync(IPage page, Action<string[]> cli, string tableTestId, string holds)
    {
        await page.EvaluateAsync($$"""
            () => {
              const table = document.querySelector('[data-testid={{tableTestId}}]');
              const holds = {{holds}};
              window.__want = null;
              window.__seen = null;
              new MutationObserver(() => {
                const w = window.__want;
                if (w && window.__seen === null && holds(table, w)) window.__seen = performance.timeOrigin + performance.now();
              }).observe(table, { subtree: true, childList: true, characterData: true });
            }
            """);
        return new EventToDom(page, cli);
    }

    /// <summary>Runs the command and waits for the page's stamp; records the time from the command's start and exit.</summary>
    public async Task MeasureAsync(object want, params string[] command)
    {
        await _page.EvaluateAsync("w => { window.__seen = null; window.__want = w; }", want);
        double start = Now();
        _cli(command);
        double exit = Now();
        var handle = await _page.WaitForFunctionAsync("() => window.__seen", null, new() { Timeout = 10_000, PollingInterval = 5 });
        double seen = await handle.JsonValueAsync<double>();
        FromStart.Add(seen - start);
        FromExit.Add(seen - exit);
        // A pause longer than the page's batching window (100 ms), so each change is a lone event as a user's is;
        // changes closer together are coalesced on purpose (one render per window) and wait for the window's end.
        await Task.Delay(250);
    }
}
