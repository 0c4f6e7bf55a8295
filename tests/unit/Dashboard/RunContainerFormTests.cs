using AngleSharp.Dom;
using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using MyDocker.Web.Dashboard.Components.Containers;
using MyDocker.Web.Dashboard.Containers;

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
        foreach (var label in new[] { "Image", "Name", "Command", "Network", "Variable 1", "Memory limit", "CPU limit" })
            Assert.NotNull(Field(cut, label));
        Assert.NotNull(Button(cut, "Remove variable 1"));
    }

    [Fact]
    public void Messages_appear_under_the_field_as_the_user_types()
    {
        var cut = RenderForm();
        Assert.Contains("choose an image", cut.Markup);
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
