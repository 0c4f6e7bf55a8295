using MyDocker.Web.Dashboard.Topology;

namespace MyDocker.UnitTests.Dashboard;

public class PortProbesTests
{
    [Fact]
    public async Task A_probe_runs_until_its_answer_and_a_failure_is_no_answer_that_says_why()
    {
        var probes = new PortProbes();
        var answer = new TaskCompletionSource<PortProbe>();
        int renders = 0;
        var running = probes.RunAsync("a", _ => answer.Task, () => renders++);
        Assert.True(probes.IsRunning("a"));
        Assert.True(probes.TryGet("a", out var none) && none is null);
        Assert.False(probes.TryGet("b", out _));

        answer.SetResult(new PortProbe(true, "accepted"));
        await running;
        Assert.False(probes.IsRunning("a"));
        Assert.True(probes.TryGet("a", out var got) && got == new PortProbe(true, "accepted"));
        Assert.Equal(2, renders);

        await probes.RunAsync("b", _ => throw new IOException("network unreachable"), () => { });
        Assert.True(probes.TryGet("b", out var failed) && failed == new PortProbe(false, "network unreachable"));
    }

    [Fact]
    public async Task Closing_the_page_cancels_a_running_probe_and_leaves_no_answer()
    {
        var probes = new PortProbes();
        var running = probes.RunAsync("a", async ct => { await Task.Delay(Timeout.Infinite, ct); return new PortProbe(true, "late"); }, () => { });
        probes.Dispose();
        await running.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.True(probes.IsRunning("a")); // no answer arrived, nor a false "no answer: canceled"
    }
}
