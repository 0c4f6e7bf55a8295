using Microsoft.Playwright;
using MyDocker.E2ETests.Infrastructure;

namespace MyDocker.E2ETests.Dashboard;

/// <summary>
/// The networks pages in Debian's Chromium driven by Playwright, inside the daemon's netns (the set-up:
/// <see cref="DashboardBrowserTest"/>). Screenshots go to the test output's screenshots directory.
/// </summary>
public sealed class DashboardBrowserTests() : DashboardBrowserTest("dashb", 7482)
{
    [Fact]
    public async Task Create_watch_and_delete_a_network_in_the_browser()
    {
        var page = await Browser.NewPageAsync();
        var refused = CspRefusals(page);
        await page.GotoAsync(DashboardAccessTests.LoginUrl(D));
        // Interactive once the page's feed reports live (a click before the circuit connects would be lost).
        await Assertions.Expect(page.GetByTestId("connection")).ToHaveTextAsync("live");

        await page.GetByLabel("Name").FillAsync("webnet");
        await page.GetByLabel("Subnet (CIDR)").FillAsync("10.77.0.0/33");
        await Assertions.Expect(page.GetByText("invalid subnet")).ToBeVisibleAsync();
        await page.GetByLabel("Subnet (CIDR)").FillAsync("10.77.0.0/24");
        await Assertions.Expect(page.GetByText("invalid subnet")).ToHaveCountAsync(0);
        await page.GetByRole(AriaRole.Button, new() { Name = "Create network" }).ClickAsync();
        var table = page.GetByTestId("networks");
        await Assertions.Expect(table).ToContainTextAsync("10.77.0.0/24");
        await Shot(page, "networks.png");
        string bridge = D.InspectNetworkBridge("webnet");
        Assert.Contains(bridge, D.Netns.Exec("ip", "-o", "link", "show"));

        // A change from another client appears without reloading.
        using (var unix = D.Http())
        {
            var r = await unix.PostAsync("/networks/create", new StringContent("{\"Name\":\"fromapi\",\"Subnet\":\"10.78.0.0/24\"}", System.Text.Encoding.UTF8, "application/json"));
            Assert.True(r.IsSuccessStatusCode, await r.Content.ReadAsStringAsync());
        }
        await Assertions.Expect(table).ToContainTextAsync("fromapi");

        // A container run from the CLI changes the counts live, and the detail page lists its lease.
        D.WithBusybox();
        string appId = D.RunDetached("--name", "app", "--network", "webnet", "busybox", "sleep", "300");
        var webRow = page.GetByRole(AriaRole.Row).Filter(new() { HasText = "webnet" });
        await Assertions.Expect(webRow).ToContainTextAsync("1 / 252");
        await page.GetByRole(AriaRole.Link, new() { Name = "webnet", Exact = true }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("leases")).ToContainTextAsync("app");
        await Assertions.Expect(page.GetByTestId("leases")).ToContainTextAsync(D.IpOf("app"));
        await Assertions.Expect(page.GetByTestId("leases")).ToContainTextAsync(D.InspectContainer("app").GetProperty("NetworkSettings").GetProperty("Networks").GetProperty("webnet").GetProperty("MacAddress").GetString()!);
        // The names the engine gave the resolver for the running container: its name and its short id.
        await Assertions.Expect(page.GetByTestId("names")).ToContainTextAsync("app (container name)");
        await Assertions.Expect(page.GetByTestId("names")).ToContainTextAsync(appId[..12]);

        // The plumbing panel reads the kernel: the bridge, the container's host veth on it, and our nft elements.
        await Assertions.Expect(page.GetByTestId("plumbing-bridge")).ToContainTextAsync($"{bridge} (index");
        await Assertions.Expect(page.GetByTestId("plumbing-bridge")).ToContainTextAsync("10.77.0.1/24");
        var vethRow = page.GetByTestId("plumbing-ports").GetByRole(AriaRole.Row).Filter(new() { HasText = "mdv" + appId[..12] });
        await Assertions.Expect(vethRow).ToContainTextAsync("app");
        await Assertions.Expect(vethRow).ToContainTextAsync("up");
        await Assertions.Expect(page.GetByTestId("plumbing-nft")).ToContainTextAsync($"masq_bridges: \"{bridge}\"");
        await Assertions.Expect(page.GetByTestId("plumbing-nft")).ToContainTextAsync("postrouting: iifname @masq_bridges");
        await Shot(page, "network-detail.png");

        // Drift made behind the engine's back shows once read again, and a reconcile's repair shows too. (Not an nftables
        // change: the daemon repairs those on the kernel's notification within milliseconds, see PortDriftTests.)
        D.Netns.Exec("ip", "link", "delete", "mdv" + appId[..12]);
        await page.GetByRole(AriaRole.Button, new() { Name = "Read again" }).ClickAsync();
        await Assertions.Expect(vethRow).ToHaveCountAsync(0);
        D.CliOk("system", "reconcile");
        await page.GetByRole(AriaRole.Button, new() { Name = "Read again" }).ClickAsync();
        await Assertions.Expect(vethRow).ToContainTextAsync("up");
        D.CliOk("rm", "-f", "app");
        await Assertions.Expect(page.GetByTestId("leases")).ToContainTextAsync("No container is connected");
        // The veth is deleted in the background (LinkReaper), maybe after the page re-read the kernel on the event.
        for (int i = 0; i < 50 && await vethRow.CountAsync() > 0; i++)
        {
            await Task.Delay(100);
            await page.GetByRole(AriaRole.Button, new() { Name = "Read again" }).ClickAsync();
        }
        await Assertions.Expect(vethRow).ToHaveCountAsync(0);
        await page.GetByRole(AriaRole.Link, new() { Name = "Networks", Exact = true }).First.ClickAsync();
        await Assertions.Expect(page.GetByTestId("connection")).ToHaveTextAsync("live");

        await page.GetByRole(AriaRole.Button, new() { Name = "Delete network webnet" }).ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Delete", Exact = true }).ClickAsync();
        await Assertions.Expect(table).Not.ToContainTextAsync("webnet");
        // The address goes before the answer; the device itself is deleted in the background (LinkReaper).
        D.Eventually(() => !D.Netns.Exec("ip", "-o", "link", "show").Contains(bridge), $"bridge {bridge} deleted");

        await page.GetByRole(AriaRole.Link, new() { Name = "Events" }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("events")).ToContainTextAsync("destroy");
        await Shot(page, "events.png");
        lock (refused) Assert.Empty(refused);
    }

    [Fact]
    public async Task An_open_page_recovers_by_itself_after_the_daemon_restarts()
    {
        var page = await Browser.NewPageAsync();
        await page.GotoAsync(DashboardAccessTests.LoginUrl(D));
        await Assertions.Expect(page.GetByTestId("connection")).ToHaveTextAsync("live");
        // Also proves SIGTERM is not held up by the open page's reconnect (DashboardGate refuses it while stopping).
        D.Restart();
        using (var unix = D.Http())
        {
            var r = await unix.PostAsync("/networks/create", new StringContent("{\"Name\":\"afterrestart\"}", System.Text.Encoding.UTF8, "application/json"));
            Assert.True(r.IsSuccessStatusCode, await r.Content.ReadAsStringAsync());
        }
        // Blazor retries the circuit, the server no longer knows it, the page reloads; the session cookie still holds.
        await Assertions.Expect(page.GetByTestId("networks")).ToContainTextAsync("afterrestart", new() { Timeout = 60_000 });
        await Assertions.Expect(page.GetByTestId("connection")).ToHaveTextAsync("live");
    }
}
