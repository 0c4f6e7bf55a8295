using MyDocker.Engine;
using MyDocker.Web.Dashboard.Containers;

namespace MyDocker.UnitTests.Dashboard;

/// <summary>The run form's session without a renderer: what it asks the engine about host ports, and which answer it keeps.</summary>
public class RunFormSessionTests
{
    private readonly FakeDashboardEngine _engine = new();

    public RunFormSessionTests() => _engine.Images.Add(FakeDashboardEngine.Image("busybox:latest", "sh"));

    private static RunFormModel Publishing(string hostPort)
    {
        var model = new RunFormModel { Image = "busybox:latest" };
        model.Ports.Add(new PortEntry { HostPort = hostPort, ContainerPort = "80" });
        return model;
    }

    private async Task<RunFormSession> LoadedSession()
    {
        var session = new RunFormSession(_engine);
        await session.LoadAsync();
        Assert.True(session.Loaded);
        return session;
    }

    [Fact]
    public async Task A_slower_earlier_answer_does_not_replace_the_answer_to_a_later_keystroke()
    {
        _engine.TakenPorts[("tcp", 8080)] = "8080/tcp on 0.0.0.0 is published by container web";
        var slow = new TaskCompletionSource();
        _engine.BeforePortCheck = call => call.EndsWith(" 8080-8080") ? slow.Task : Task.CompletedTask;
        var session = await LoadedSession();
        var model = Publishing("8080");

        var first = session.ValidateAsync(model); // the engine takes its time over 8080
        model.Ports[0].HostPort = "9090";
        await session.ValidateAsync(model);
        Assert.Empty(session.Problems);

        slow.SetResult();
        await first;
        Assert.Empty(session.Problems); // 8080's "taken" answers a question nobody asks any more
        // And the later answer is the one remembered: the same ports again ask nothing.
        int asked = _engine.PortChecks.Count;
        await session.ValidateAsync(model);
        Assert.Equal(asked, _engine.PortChecks.Count);
    }

    [Fact]
    public async Task The_engine_is_asked_again_only_when_the_ports_change_or_the_engine_was_read_again()
    {
        var session = await LoadedSession();
        var model = Publishing("8080");
        await session.ValidateAsync(model);
        Assert.Equal(["tcp 127.0.0.1 8080-8080"], _engine.PortChecks);

        model.Name = "web1"; // another field: the answer about 8080 still holds
        await session.ValidateAsync(model);
        Assert.Single(_engine.PortChecks);

        model.Ports[0].HostPort = "8081";
        await session.ValidateAsync(model);
        Assert.Equal("tcp 127.0.0.1 8081-8081", _engine.PortChecks[^1]);

        // A container made elsewhere may have taken the port: once the form reads the engine again, it asks again.
        _engine.TakenPorts[("tcp", 8081)] = "8081/tcp on 127.0.0.1 is in use by a host process (python3, pid 4242)";
        await session.LoadAsync();
        await session.ValidateAsync(model);
        Assert.Equal(3, _engine.PortChecks.Count);
        var problem = Assert.Single(session.Problems);
        Assert.Equal(new RunProblem(RunField.HostPort, "8081/tcp on 127.0.0.1 is in use by a host process (python3, pid 4242); choose another host port (8082 is free)", 0, 8082), problem);
    }

    [Fact]
    public async Task Before_the_engine_was_read_no_port_is_checked_and_a_failed_check_says_so_under_the_ports()
    {
        var unread = new RunFormSession(_engine);
        await unread.ValidateAsync(Publishing("8080"));
        Assert.Empty(_engine.PortChecks);
        Assert.False(unread.Loaded);

        _engine.BeforePortCheck = _ => Task.FromException(EngineException.Invalid("the port table is busy"));
        var session = await LoadedSession();
        await session.ValidateAsync(Publishing("8080"));
        Assert.Equal(new RunProblem(RunField.Ports, "the engine could not check the host ports: the port table is busy"), Assert.Single(session.Problems));
    }
}
