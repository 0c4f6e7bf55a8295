using Microsoft.Playwright;
using MyDocker.E2ETests.Infrastructure;

namespace MyDocker.E2ETests.Dashboard;

/// <summary>
/// The containers page and the run wizard in Debian's Chromium against the real daemon in a throw-away netns (the set-up:
/// <see cref="DashboardBrowserTest"/>). Screenshots go to the test output's screenshots directory.
/// </summary>
public sealed class DashboardContainerBrowserTests() : DashboardBrowserTest("dashc", 7483)
{
    protected override void BeforeStart() => D.WithBusybox();

    [Fact]
    public async Task Run_a_container_through_the_wizard_watch_it_change_from_the_CLIs_and_remove_it()
    {
        D.CliOk("image", "inspect", "busybox"); // the seed image is imported on first use: make it a local image now
        D.CliOk("network", "create", "--subnet", "10.88.0.0/24", "appnet");
        var page = await Browser.NewPageAsync();
        var refused = CspRefusals(page);
        await page.GotoAsync(DashboardAccessTests.LoginUrl(D));
        await page.GetByRole(AriaRole.Link, new() { Name = "Containers", Exact = true }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("connection")).ToHaveTextAsync("live");
        await Assertions.Expect(page.GetByTestId("containers")).ToContainTextAsync("No containers yet");

        // The wizard: validation as the user types, the CLI line, then run.
        await page.GetByRole(AriaRole.Link, new() { Name = "Run container" }).ClickAsync();
        await Assertions.Expect(page.GetByLabel("Image")).ToHaveValueAsync("busybox:latest");
        await Assertions.Expect(page.GetByText("has no default command")).ToBeVisibleAsync();
        await page.GetByLabel("Name").FillAsync("web");
        await page.GetByLabel("Command").FillAsync("sleep 300");
        await page.GetByLabel("Network").SelectOptionAsync("appnet");
        await page.GetByRole(AriaRole.Button, new() { Name = "Add variable" }).ClickAsync();
        await page.GetByLabel("Variable 1", new() { Exact = true }).FillAsync("GREETING=hello world");
        await page.GetByLabel("Memory limit").FillAsync("1m");
        await Assertions.Expect(page.GetByText("below the minimum of 6 MiB")).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Button, new() { Name = "Run container" })).ToBeDisabledAsync();
        await page.GetByLabel("Memory limit").FillAsync("64m");
        await page.GetByLabel("CPU limit").FillAsync("0.5");
        await Assertions.Expect(page.GetByTestId("cli-line")).ToHaveTextAsync(
            "mydocker run -d --name web --network appnet -e 'GREETING=hello world' -m 64m --cpus 0.5 busybox:latest sleep 300");
        await Shot(page, "run-wizard.png");
        await page.GetByRole(AriaRole.Button, new() { Name = "Run container" }).ClickAsync();

        // The container's page: running, on appnet, with its limits.
        await Assertions.Expect(page.GetByTestId("container-facts").GetByTestId("state")).ToHaveTextAsync("running");
        string id = D.InspectContainer("web").GetProperty("Id").GetString()!;
        string ip = D.IpOf("web");
        Assert.StartsWith("10.88.0.", ip);
        await Assertions.Expect(page.GetByTestId("container-facts")).ToContainTextAsync(ip);
        await Assertions.Expect(page.GetByTestId("container-facts")).ToContainTextAsync("64 MiB");
        await Assertions.Expect(page.GetByTestId("container-facts")).ToContainTextAsync("GREETING=hello world");
        Assert.Equal("running", D.StateOf("web"));
        Assert.Equal(64L << 20, D.InspectContainer("web").GetProperty("HostConfig").GetProperty("Memory").GetInt64());
        string veth = "mdv" + id[..12];
        Assert.Contains(veth, D.Netns.Exec("ip", "-o", "link", "show"));
        await Shot(page, "container-detail.png");

        // The list, live: a stop from our CLI and a start from the docker CLI show without reloading the page.
        await page.GetByRole(AriaRole.Link, new() { Name = "Containers", Exact = true }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("connection")).ToHaveTextAsync("live");
        var row = page.Locator("tr[data-container='web']");
        await Assertions.Expect(row.GetByTestId("state")).ToHaveTextAsync("running");
        await Assertions.Expect(row).ToContainTextAsync(ip);
        await page.EvaluateAsync("() => window.__sameDocument = true");
        D.CliOk("stop", "-t", "1", "web");
        await Assertions.Expect(row.GetByTestId("state")).ToHaveTextAsync("exited");
        await Assertions.Expect(row.GetByTestId("exit-code")).ToHaveTextAsync("137"); // sleep as pid 1 ignores SIGTERM
        var docker = D.Docker("start", "web");
        Assert.True(docker.ExitCode == 0, docker.Stderr);
        await Assertions.Expect(row.GetByTestId("state")).ToHaveTextAsync("running");
        Assert.True(await page.EvaluateAsync<bool>("() => window.__sameDocument === true"), "the page reloaded");
        await Shot(page, "containers.png");

        // Filters.
        await page.GetByRole(AriaRole.Button, new() { Name = "exited" }).ClickAsync();
        await Assertions.Expect(row).ToHaveCountAsync(0);
        await page.GetByRole(AriaRole.Button, new() { Name = "all" }).ClickAsync();
        await Assertions.Expect(row).ToHaveCountAsync(1);

        // Remove from the UI, after a confirmation: the row, the container and its kernel state go.
        await page.GetByRole(AriaRole.Button, new() { Name = "Remove web" }).ClickAsync();
        await Assertions.Expect(page.GetByText("Container 'web' is running. Kill it and remove it")).ToBeVisibleAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Remove", Exact = true }).ClickAsync();
        await Assertions.Expect(row).ToHaveCountAsync(0);
        Assert.Equal("", D.CliOk("ps", "-aq").Trim());
        // The veth is deleted in the background (LinkReaper).
        D.Eventually(() => !D.Netns.Exec("ip", "-o", "link", "show").Contains(veth), $"veth {veth} deleted");
        Assert.False(Directory.Exists(D.NetnsOf(id)) || File.Exists(D.NetnsOf(id)), "the container's netns mount is left");

        // A start that fails leaves nothing behind and says why.
        await page.GetByRole(AriaRole.Link, new() { Name = "Run container" }).ClickAsync();
        await page.GetByLabel("Name").FillAsync("broken");
        await page.GetByLabel("Command").FillAsync("no-such-command");
        await page.GetByRole(AriaRole.Button, new() { Name = "Run container" }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("run-error")).ToContainTextAsync("the container could not start");
        await Assertions.Expect(page.GetByTestId("run-error")).ToContainTextAsync("nothing is left behind");
        await Shot(page, "run-wizard-failed-start.png");
        Assert.Equal("", D.CliOk("ps", "-aq").Trim());
        lock (refused) Assert.Empty(refused);
    }

    [Fact]
    public async Task Publish_ports_through_the_wizard_with_conflicts_named_then_fetch_them()
    {
        D.CliOk("image", "inspect", "busybox");
        D.RunDetached("--name", "holder", "-p", "127.0.0.1:18301:80", "busybox", "sleep", "300");
        // A host process on the next port, in the daemon's netns (where ports are held).
        var listener = D.Netns.Run(() =>
        {
            var l = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 18302);
            l.Start();
            return l;
        });
        try
        {
            var page = await Browser.NewPageAsync();
            await page.GotoAsync(DashboardAccessTests.LoginUrl(D));
            await page.GetByRole(AriaRole.Link, new() { Name = "Containers", Exact = true }).ClickAsync();
            await page.GetByRole(AriaRole.Link, new() { Name = "Run container" }).ClickAsync();
            await Assertions.Expect(page.GetByLabel("Image")).ToHaveValueAsync("busybox:latest");
            await page.GetByLabel("Name").FillAsync("site");
            await page.GetByLabel("Command").FillAsync("sh -c 'mkdir -p /www && echo hello from the wizard > /www/index.html && exec httpd -f -p 80 -h /www'");

            // One row: the address defaults to loopback; taken ports name their holders and offer the next free one.
            await page.GetByRole(AriaRole.Button, new() { Name = "Add port" }).ClickAsync();
            await Assertions.Expect(page.GetByLabel("Host address 1", new() { Exact = true })).ToHaveValueAsync("127.0.0.1");
            await page.GetByLabel("Container port 1", new() { Exact = true }).FillAsync("80");
            await page.GetByLabel("Host port 1", new() { Exact = true }).FillAsync("18301");
            await Assertions.Expect(page.GetByText("18301/tcp on 127.0.0.1 is published by container holder; choose another host port (18303 is free)")).ToBeVisibleAsync();
            await Assertions.Expect(page.GetByRole(AriaRole.Button, new() { Name = "Run container" })).ToBeDisabledAsync();
            await page.GetByLabel("Host port 1", new() { Exact = true }).FillAsync("18302");
            await Assertions.Expect(page.GetByText($"18302/tcp on 127.0.0.1 is in use by a host process")).ToBeVisibleAsync();
            await Assertions.Expect(page.GetByText($"pid {Environment.ProcessId}")).ToBeVisibleAsync();
            await Shot(page, "run-wizard-port-conflict.png");
            await page.GetByRole(AriaRole.Button, new() { Name = "Use host port 18303 for port 1" }).ClickAsync();
            await Assertions.Expect(page.GetByLabel("Host port 1", new() { Exact = true })).ToHaveValueAsync("18303");

            // A second row on every address, its host port picked by the engine: warned about before anything is made.
            await page.GetByRole(AriaRole.Button, new() { Name = "Add port" }).ClickAsync();
            await page.GetByLabel("Container port 2", new() { Exact = true }).FillAsync("80");
            await page.GetByLabel("Host address 2", new() { Exact = true }).SelectOptionAsync("0.0.0.0");
            await Assertions.Expect(page.GetByTestId("port-warning")).ToContainTextAsync("other machines on its networks can reach this port");
            await Assertions.Expect(page.GetByTestId("cli-line")).ToHaveTextAsync(
                "mydocker run -d --name site -p 127.0.0.1:18303:80 -p 80 busybox:latest sh -c 'mkdir -p /www && echo hello from the wizard > /www/index.html && exec httpd -f -p 80 -h /www'");
            await Shot(page, "run-wizard-ports.png");
            await page.GetByRole(AriaRole.Button, new() { Name = "Run container" }).ClickAsync();
            await Assertions.Expect(page.GetByText("will be reachable from other machines")).ToBeVisibleAsync();
            await page.GetByRole(AriaRole.Button, new() { Name = "Publish on every address" }).ClickAsync();

            // The container's page probes both ports; both answer.
            await Assertions.Expect(page.GetByTestId("container-facts").GetByTestId("state")).ToHaveTextAsync("running");
            var probes = page.GetByTestId("probe");
            await Assertions.Expect(probes).ToHaveCountAsync(2);
            await Assertions.Expect(probes.Nth(0)).ToContainTextAsync("answers:");
            await Assertions.Expect(probes.Nth(1)).ToContainTextAsync("answers:");
            await Shot(page, "container-ports-probed.png");

            // Fetch both from the browser (in the daemon's netns, where 127.0.0.1 is the daemon host's).
            string picked = D.CliOk("port", "site", "80/tcp").Split('\n', StringSplitOptions.RemoveEmptyEntries).Single(l => l.StartsWith("0.0.0.0:"))["0.0.0.0:".Length..];
            foreach (var url in new[] { "http://127.0.0.1:18303/", $"http://127.0.0.1:{picked}/" })
            {
                var fetch = await Browser.NewPageAsync();
                var response = await fetch.GotoAsync(url);
                Assert.Equal(200, response!.Status);
                Assert.Equal("hello from the wizard", (await response.TextAsync()).Trim());
                await fetch.CloseAsync();
            }
        }
        finally { listener.Stop(); }
    }
}
