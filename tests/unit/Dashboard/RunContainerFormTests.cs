using AngleSharp.Dom;
using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using MyDocker.Engine.Ports;
using MyDocker.Shared.Ports;
using MyDocker.Web.Dashboard.Containers;
using MyDocker.Engine.Events;

namespace MyDocker.UnitTests.Dashboard;

public class RunContainerFormTests : DashboardTestContext
{
    private IRenderedComponent<RunContainerForm> RenderForm()
    {
        Engine.Images.Add(FakeDashboardEngine.Image("busybox:latest", ""));
        Engine.Images.Add(FakeDashboardEngine.Image("alpine:3", "/bin/sh"));
        Engine.Networks.Add(FakeDashboardEngine.Row("appnet", "10.1.0.0/24"));
        Engine.Containers.Add(FakeDashboardEngine.Container("web"));
        var cut = Render<RunContainerForm>();
        cut.WaitForAssertion(() => Assert.Equal(3, cut.FindAll("#run-image option").Count)); // the prompt and two images
        return cut;
    }

    /// <summary>The control a visible label names (label for=id), as a browser's accessibility tree does.</summary>
    private static IElement Field(IRenderedComponent<RunContainerForm> cut, string label) =>
        cut.Find("#" + cut.FindAll("label").Single(l => l.TextContent.Trim() == label).GetAttribute("for"));

    private static IElement Button(IRenderedComponent<RunContainerForm> cut, string text) =>
        cut.FindAll("button").Single(b => b.TextContent.Trim() == text || b.GetAttribute("aria-label") == text);

    private static string Cli(IRenderedComponent<RunContainerForm> cut) => cut.Find("[data-testid=cli-line]").TextContent;

    [Fact]
    public void Every_field_has_a_visible_label()
    {
        var cut = RenderForm();
        Button(cut, "Add variable").Click();
        Button(cut, "Add port").Click();
        foreach (var label in new[] { "Image", "Name", "Command", "Network", "Variable 1", "Memory limit", "CPU limit",
                                      "Host address 1", "Host port 1", "Container port 1", "Protocol 1" })
            Assert.NotNull(Field(cut, label));
        Assert.NotNull(Button(cut, "Remove variable 1"));
        Assert.NotNull(Button(cut, "Remove port 1"));
    }

    /// <summary>A form ready to run but for its ports.</summary>
    private IRenderedComponent<RunContainerForm> RenderReady()
    {
        var cut = RenderForm();
        Field(cut, "Image").Change("alpine:3");
        Field(cut, "Name").Input("web1");
        return cut;
    }

    private static string? ErrorUnder(IRenderedComponent<RunContainerForm> cut, string label) =>
        Field(cut, label).Closest(".mud-input-control")?.QuerySelector(".mud-input-helper-text.mud-input-error")?.TextContent.Trim() is { Length: > 0 } text ? text : null;

    [Theory]
    [InlineData("", "", "Container port 1", "give the port the container listens on, e.g. 80, or remove this port")]
    [InlineData("", "0", "Container port 1", "container port 0 is not a port; ports go from 1 to 65535")]
    [InlineData("", "http", "Container port 1", "container port 'http' is not a number; give a port 1-65535 or a range such as 8000-8010")]
    [InlineData("", "90-80", "Container port 1", "container port range 90-80 is inverted; write the lower port first, as in 80-90")]
    [InlineData("70000", "80", "Host port 1", "host port 70000 is out of range; ports go from 1 to 65535")]
    [InlineData("8000-8001", "80-82", "Host port 1", "host range 8000-8001 has 2 ports but container range 80-82 has 3; give ranges of the same length, or one container port to let the engine pick within the host range")]
    [InlineData("8000-", "80", "Host port 1", "host port '8000-' is not a port or a range; give a port 1-65535 or a range such as 8000-8010")]
    public void Port_syntax_and_ranges_are_checked_under_the_field_at_fault(string hostPort, string containerPort, string field, string message)
    {
        var cut = RenderReady();
        Button(cut, "Add port").Click();
        Field(cut, "Host port 1").Input(hostPort);
        Field(cut, "Container port 1").Input(containerPort);
        cut.WaitForAssertion(() => Assert.Equal(message, ErrorUnder(cut, field)));
        Assert.True(Button(cut, "Run container").HasAttribute("disabled"));
        Field(cut, "Host port 1").Input("8080");
        Field(cut, "Container port 1").Input("80");
        cut.WaitForAssertion(() => Assert.DoesNotContain("mud-input-error", cut.Markup));
        Assert.False(Button(cut, "Run container").HasAttribute("disabled"));
    }

    [Fact]
    public void The_host_address_defaults_to_loopback_and_every_address_is_warned_about_then_confirmed()
    {
        Engine.HostAddresses.Add("192.0.2.10");
        var cut = RenderReady();
        Button(cut, "Add port").Click();
        Assert.Equal("127.0.0.1", Field(cut, "Host address 1").GetAttribute("value"));
        Assert.Equal(["127.0.0.1", "0.0.0.0", "192.0.2.10"], Field(cut, "Host address 1").QuerySelectorAll("option").Select(o => o.GetAttribute("value")));
        Field(cut, "Container port 1").Input("80");
        Assert.Empty(cut.FindAll("[data-testid=port-warning]"));
        Field(cut, "Host address 1").Change("0.0.0.0");
        cut.WaitForAssertion(() => Assert.Contains("0.0.0.0 publishes on every address of this host: other machines on its networks can reach this port",
            cut.Find("[data-testid=port-warning]").TextContent));
        Assert.Contains(" -p 80 ", Cli(cut));

        // Run asks first; cancel creates nothing.
        Button(cut, "Run container").Click();
        ConfirmDialog("80 will be reachable from other machines", "Cancel");
        cut.WaitForAssertion(() => Assert.DoesNotContain("reachable from other machines", DialogProvider.Markup));
        Assert.Empty(Engine.Created);
        Button(cut, "Run container").Click();
        ConfirmDialog("reachable from other machines", "Publish on every address");
        cut.WaitForAssertion(() => Assert.Single(Engine.Created));
        Assert.Equal([new PortRequest("tcp", "0.0.0.0", 0, 0, 80)], Engine.Created[0].Publish);

        // Loopback asks nothing.
        Field(cut, "Host address 1").Change("127.0.0.1");
        cut.WaitForAssertion(() => Assert.Empty(cut.FindAll("[data-testid=port-warning]")));
    }

    [Fact]
    public void Rows_that_ask_for_the_same_host_port_are_refused_as_the_kernel_would()
    {
        var cut = RenderReady();
        Button(cut, "Add port").Click();
        Button(cut, "Add port").Click();
        Field(cut, "Host port 1").Input("8080");
        Field(cut, "Container port 1").Input("80");
        Field(cut, "Host port 2").Input("8080");
        Field(cut, "Container port 2").Input("81");
        cut.WaitForAssertion(() => Assert.Equal(
            "8080/tcp on 127.0.0.1 is already published by port 1; give each port a different host port", ErrorUnder(cut, "Host port 2")));
        // Another protocol is another port.
        Field(cut, "Protocol 2").Change("udp");
        cut.WaitForAssertion(() => Assert.Null(ErrorUnder(cut, "Host port 2")));
        Assert.Contains("-p 127.0.0.1:8080:80 -p 127.0.0.1:8080:81/udp", Cli(cut));
        // Every address covers loopback.
        Field(cut, "Protocol 2").Change("tcp");
        Field(cut, "Host address 2").Change("0.0.0.0");
        cut.WaitForAssertion(() => Assert.Equal(
            "8080/tcp on 0.0.0.0 is already published by port 1; give each port a different host port", ErrorUnder(cut, "Host port 2")));
        // Two engine picks never collide.
        Field(cut, "Host port 1").Input("");
        Field(cut, "Host port 2").Input("");
        cut.WaitForAssertion(() => Assert.DoesNotContain("mud-input-error", cut.Markup));
        Assert.Contains("-p 127.0.0.1::80 -p 81", Cli(cut));
        Button(cut, "Remove port 1").Click();
        cut.WaitForAssertion(() => Assert.Contains("-p 81 alpine:3", Cli(cut)));
    }

    [Fact]
    public void A_taken_host_port_names_its_holder_and_offers_the_next_free_one()
    {
        Engine.TakenPorts[("tcp", 8080)] = "8080/tcp on 0.0.0.0 is published by container web";
        Engine.TakenPorts[("tcp", 8081)] = "8081/tcp on 127.0.0.1 is in use by a host process (python3, pid 4242)";
        var cut = RenderReady();
        Button(cut, "Add port").Click();
        Field(cut, "Container port 1").Input("80");
        Field(cut, "Host port 1").Input("8080");
        cut.WaitForAssertion(() => Assert.Equal("8080/tcp on 0.0.0.0 is published by container web; choose another host port (8082 is free)", ErrorUnder(cut, "Host port 1")));
        Assert.True(Button(cut, "Run container").HasAttribute("disabled"));
        Field(cut, "Host port 1").Input("8081");
        cut.WaitForAssertion(() => Assert.Equal(
            "8081/tcp on 127.0.0.1 is in use by a host process (python3, pid 4242); choose another host port (8082 is free)", ErrorUnder(cut, "Host port 1")));
        Button(cut, "Use host port 8082 for port 1").Click();
        cut.WaitForAssertion(() => Assert.Equal("8082", Field(cut, "Host port 1").GetAttribute("value")));
        cut.WaitForAssertion(() => Assert.DoesNotContain("mud-input-error", cut.Markup));
        Assert.False(Button(cut, "Run container").HasAttribute("disabled"));
        // UDP 8080 is another port; a range with one free port is fine, one with none is not.
        Field(cut, "Protocol 1").Change("udp");
        Field(cut, "Host port 1").Input("8080");
        cut.WaitForAssertion(() => Assert.DoesNotContain("mud-input-error", cut.Markup));
        Field(cut, "Protocol 1").Change("tcp");
        Field(cut, "Host port 1").Input("8080-8082");
        cut.WaitForAssertion(() => Assert.DoesNotContain("mud-input-error", cut.Markup));
        Field(cut, "Host port 1").Input("8080-8081");
        cut.WaitForAssertion(() => Assert.Equal("no port of 8080-8081/tcp on 127.0.0.1 is free; choose another host port (8082 is free)", ErrorUnder(cut, "Host port 1")));
        Assert.DoesNotContain(cut.FindAll("button"), b => b.TextContent.Trim().StartsWith("Use "));
        Assert.Contains("tcp 127.0.0.1 8080-8081", Engine.PortChecks);
    }

    [Fact]
    public void A_port_or_name_taken_elsewhere_while_the_form_is_open_shows_without_a_keystroke()
    {
        var cut = RenderReady();
        Button(cut, "Add port").Click();
        Field(cut, "Container port 1").Input("80");
        Field(cut, "Host port 1").Input("8080");
        cut.WaitForAssertion(() => Assert.DoesNotContain("mud-input-error", cut.Markup));

        // Another client runs a container named web1 publishing 8080.
        Engine.TakenPorts[("tcp", 8080)] = "8080/tcp on 0.0.0.0 is published by container web1";
        var other = FakeDashboardEngine.Container("web1");
        Engine.Containers.Add(other);
        Engine.Publish(EngineEvents.ContainerCreated(FakeDashboardEngine.Actor(other.Id, other.Name)));
        cut.WaitForAssertion(() => Assert.Equal(
            "8080/tcp on 0.0.0.0 is published by container web1; choose another host port (8081 is free)", ErrorUnder(cut, "Host port 1")));
        cut.WaitForAssertion(() => Assert.Contains("container name 'web1' is already in use", cut.Markup));

        // It is removed: both are free again.
        Engine.TakenPorts.Clear();
        Engine.Containers.Remove(other);
        Engine.Publish(EngineEvents.ContainerDestroyed(FakeDashboardEngine.Actor(other.Id, other.Name)));
        cut.WaitForAssertion(() => Assert.DoesNotContain("mud-input-error", cut.Markup));
    }

    [Fact]
    public void An_internal_network_cannot_publish()
    {
        Engine.Networks.Add(FakeDashboardEngine.Row("sealed", "10.2.0.0/24") with { Internal = true });
        var cut = RenderReady();
        Field(cut, "Network").Change("sealed");
        Assert.Empty(cut.FindAll("[data-testid=ports-error]"));
        Button(cut, "Add port").Click();
        Field(cut, "Container port 1").Input("80");
        cut.WaitForAssertion(() => Assert.Equal(
            "network 'sealed' is internal: nothing outside it can reach its containers, so they cannot publish ports; remove the ports or choose another network",
            cut.Find("[data-testid=ports-error]").TextContent.Trim()));
        Assert.True(Button(cut, "Run container").HasAttribute("disabled"));
    }

    [Fact]
    public void Submitting_with_ports_publishes_them_and_opens_the_container_to_probe_them()
    {
        var cut = RenderReady();
        Field(cut, "Command").Input("httpd -f");
        Button(cut, "Add port").Click();
        Button(cut, "Add port").Click();
        Field(cut, "Host port 1").Input("8080");
        Field(cut, "Container port 1").Input("80");
        Field(cut, "Container port 2").Input("53");
        Field(cut, "Protocol 2").Change("udp");
        cut.WaitForAssertion(() => Assert.Equal("mydocker run -d --name web1 -p 127.0.0.1:8080:80 -p 127.0.0.1::53/udp alpine:3 httpd -f", Cli(cut)));
        Button(cut, "Run container").Click();
        cut.WaitForAssertion(() => Assert.EndsWith("/containers/web1?probe=ports", Services.GetRequiredService<NavigationManager>().Uri));
        Assert.Equal([new PortRequest("tcp", "127.0.0.1", 8080, 8080, 80), new PortRequest("udp", "127.0.0.1", 0, 0, 53)], Engine.Created.Single().Publish);
    }

    [Fact]
    public void Messages_appear_under_the_field_as_the_user_types()
    {
        var cut = RenderForm();
        // The help under the select, not the markup: the select's empty <option> holds the same words.
        Assert.Contains("choose an image", cut.Find("#run-image-help").TextContent);
        Assert.True(Button(cut, "Run container").HasAttribute("disabled"));
        Field(cut, "Image").Change("busybox:latest");
        // busybox here has no default command: one must be given.
        cut.WaitForAssertion(() => Assert.Contains("image 'busybox:latest' has no default command; give one", cut.Markup));
        Field(cut, "Command").Input("sh -c 'echo hi");
        cut.WaitForAssertion(() => Assert.Contains("the command is not valid: a ' quote is not closed", cut.Markup));
        Field(cut, "Command").Input("sh -c 'echo hi; sleep 1000'");
        cut.WaitForAssertion(() => Assert.DoesNotContain("mud-input-error", cut.Markup));
        Assert.False(Button(cut, "Run container").HasAttribute("disabled"));

        Field(cut, "Name").Input("-web");
        cut.WaitForAssertion(() => Assert.Contains("invalid container name \"-web\": it starts with '-'", cut.Markup));
        Field(cut, "Name").Input("web");
        cut.WaitForAssertion(() => Assert.Contains("container name 'web' is already in use", cut.Markup));
        Field(cut, "Name").Input("web2");

        Field(cut, "Memory limit").Input("12q");
        cut.WaitForAssertion(() => Assert.Contains("invalid argument \"12q\" for \"-m, --memory\" flag: expected a size such as 6m", cut.Markup));
        Field(cut, "Memory limit").Input("1m");
        cut.WaitForAssertion(() => Assert.Contains("memory limit 1048576 bytes is below the minimum of 6 MiB", cut.Markup));
        Field(cut, "Memory limit").Input("64m");
        Field(cut, "CPU limit").Input("half");
        cut.WaitForAssertion(() => Assert.Contains("invalid argument \"half\" for \"--cpus\" flag", cut.Markup));
        Field(cut, "CPU limit").Input("4096");
        cut.WaitForAssertion(() => Assert.Contains($"CPUs of this host; give at most {Environment.ProcessorCount}", cut.Markup));
        Field(cut, "CPU limit").Input("0.5");

        Button(cut, "Add variable").Click();
        Button(cut, "Add variable").Click();
        Field(cut, "Variable 1").Input("NO VALUE");
        cut.WaitForAssertion(() => Assert.Contains("invalid environment variable \"NO VALUE\": write KEY=VALUE", cut.Markup));
        Field(cut, "Variable 1").Input("GREETING");
        cut.WaitForAssertion(() => Assert.Contains("invalid environment variable \"GREETING\": write KEY=VALUE (an empty value is KEY=)", cut.Markup));
        Field(cut, "Variable 1").Input("GREETING=hello world");
        Field(cut, "Variable 2").Input("GREETING=again");
        cut.WaitForAssertion(() => Assert.Contains("GREETING is already set in variable 1; remove one of them", cut.Markup));
        Assert.True(Button(cut, "Run container").HasAttribute("disabled"));
        Button(cut, "Remove variable 2").Click();
        cut.WaitForAssertion(() => Assert.DoesNotContain("mud-input-error", cut.Markup));
        Assert.False(Button(cut, "Run container").HasAttribute("disabled"));
    }

    [Fact]
    public void Copy_as_CLI_gives_the_equivalent_run_line_quoted_for_a_shell()
    {
        var cut = RenderForm();
        Field(cut, "Image").Change("alpine:3");
        Assert.Equal("mydocker run -d alpine:3", Cli(cut));
        Field(cut, "Name").Input("web1");
        Field(cut, "Network").Change("appnet");
        Button(cut, "Add variable").Click();
        Field(cut, "Variable 1").Input("GREETING=it's me");
        Field(cut, "Memory limit").Input("64m");
        Field(cut, "CPU limit").Input("0.5");
        Field(cut, "Command").Input("sh -c \"echo \\\"hi\\\"; sleep 1000\"");
        const string expected = "mydocker run -d --name web1 --network appnet -e 'GREETING=it'\\''s me' -m 64m --cpus 0.5 alpine:3 sh -c 'echo \"hi\"; sleep 1000'";
        cut.WaitForAssertion(() => Assert.Equal(expected, Cli(cut)));
        Button(cut, "Copy as CLI").Click();
        Assert.Equal(expected, JSInterop.VerifyInvoke("navigator.clipboard.writeText").Arguments[0]);
        cut.WaitForAssertion(() => Assert.Contains("Copied.", cut.Markup));
    }

    [Fact]
    public void Submitting_creates_and_starts_then_opens_the_container()
    {
        var cut = RenderForm();
        Field(cut, "Image").Change("alpine:3");
        Field(cut, "Name").Input("web1");
        Field(cut, "Network").Change("appnet");
        Button(cut, "Add variable").Click();
        Field(cut, "Variable 1").Input("A=1");
        Field(cut, "Memory limit").Input("64m");
        Field(cut, "CPU limit").Input("0.5");
        Field(cut, "Command").Input("sleep 1000");
        Button(cut, "Run container").Click();
        cut.WaitForAssertion(() => Assert.EndsWith("/containers/web1", Services.GetRequiredService<NavigationManager>().Uri));
        var spec = Assert.Single(Engine.Created);
        Assert.Equal(("web1", "alpine:3", "appnet"), (spec.Name, spec.Image, spec.Network));
        Assert.Equal(["sleep", "1000"], spec.Spec.Cmd);
        Assert.Equal(["A=1"], spec.Spec.Env);
        Assert.Equal(64L << 20, spec.Spec.MemoryBytes);
        Assert.Equal(500_000_000L, spec.Spec.NanoCpus);
        Assert.Equal("running", Engine.Containers.Single(c => c.Name == "web1").State);
    }

    [Fact]
    public void A_failed_start_leaves_nothing_behind_and_says_why()
    {
        var cut = RenderForm();
        Engine.StartError = "exec: \"nope\": executable file not found in $PATH";
        Field(cut, "Image").Change("alpine:3");
        Field(cut, "Name").Input("broken");
        Field(cut, "Command").Input("nope");
        Button(cut, "Run container").Click();
        cut.WaitForAssertion(() => Assert.Equal(
            "the container could not start: exec: \"nope\": executable file not found in $PATH. It was removed again; nothing is left behind.",
            cut.Find("[data-testid=run-error]").TextContent.Trim()));
        Assert.DoesNotContain(Engine.Containers, c => c.Name == "broken");
        Assert.StartsWith("remove ", Engine.Calls[^1]);
        Assert.False(Button(cut, "Run container").HasAttribute("disabled"));
    }

    [Theory]
    [InlineData("sleep 1000", new[] { "sleep", "1000" })]
    [InlineData("  sh   -c 'a  b'  ", new[] { "sh", "-c", "a  b" })]
    [InlineData("echo \"a \\\"b\\\" \\$c \\x\"", new[] { "echo", "a \"b\" $c \\x" })]
    [InlineData("echo a\\ b ''", new[] { "echo", "a b", "" })]
    public void Commands_split_as_a_shell_does_and_quote_back_to_the_same_words(string line, string[] words)
    {
        Assert.Equal(words, ShellWords.Split(line));
        Assert.Equal(words, ShellWords.Split(ShellWords.Join(words)));
    }
}
