using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;
using MyDocker.Engine.Containers;
using MyDocker.Engine.Containers.Runtime;
using MyDocker.Engine.Events;
using MyDocker.Engine.Ports;
using MyDocker.Engine.State;
using MyDocker.UnitTests.Fakes;

namespace MyDocker.UnitTests.Containers;

/// <summary>
/// `create` without root: <see cref="ContainerService"/> over <see cref="FakeContainerResources"/>, a real SQLite file
/// and no published ports (so neither the runtime nor the firewall is reached). A step failing after each of the
/// container path's crash points (recorded, leased, rootfs, network) must leave nothing: no record, lease, mount, netns,
/// endpoint or directory. The e2e crash matrix (ContainerCrashTests) stays the outer check with a real kernel.
/// </summary>
public sealed class ContainerCreateRollbackTests : IDisposable
{
    private readonly string _dir = MigratedDatabase.NewDirectory("mydocker-unit-create-");
    private readonly StateDbFactory _state;
    private readonly FakeContainerResources _resources;
    private readonly ContainerService _containers;
    private readonly ExitWatcher _exits;

    public ContainerCreateRollbackTests()
    {
        _state = MigratedDatabase.CopyTo(Path.Combine(_dir, "mydocker.db"));
        _resources = new FakeContainerResources(_dir);
        var runtime = new ContainerRuntime(RuntimeOptions.FromExecRoot(_resources.Options.ExecRoot), NullLogger<ContainerRuntime>.Instance);
        var events = new EventHub(_state);
        _exits = new ExitWatcher(runtime.Options);
        var processes = new ContainerProcesses(runtime, _exits, new AttachWaiters(runtime), new ExecSessions(runtime, events));
        // No port is published in these tests, so the forwarder never reaches the firewall, conntrack or netlink.
        var ports = new PortForwarder(new PortReservations(), null!, null!, null!, NullLogger<PortForwarder>.Instance);
        _containers = new ContainerService(_state, _resources, processes, ports, new OperationRegistry(), events, NullLogger<ContainerService>.Instance);
    }

    private static ContainerCreateSpec Request => new() { Name = "web", Image = "busybox" };

    [Theory]
    [InlineData("address")]   // after container-create:recorded
    [InlineData("rootfs")]    // after container-create:leased
    [InlineData("netns")]     // after container-create:rootfs
    [InlineData("endpoint")]  // the network step itself
    public async Task A_failed_step_rolls_back_everything_made_before_it(string step)
    {
        _resources.FailAt = step;

        var e = await Assert.ThrowsAsync<InvalidOperationException>(() => _containers.CreateAsync(Request));

        Assert.Equal($"injected failure at {step}", e.Message);
        Assert.Equal("leases: \nmounts: 0\nnetns: 0\nendpoints: 0", _resources.Dump());
        await using var db = _state.Create();
        Assert.Empty(await db.Containers.ToListAsync());
        string containersDir = ContainerPaths.ContainersDir(_resources.Options);
        Assert.False(Directory.Exists(containersDir) && Directory.EnumerateDirectories(containersDir).Any());
    }

    [Fact]
    public async Task A_create_that_succeeds_keeps_what_it_made_and_the_name_is_free_again_after_a_failure()
    {
        _resources.FailAt = "endpoint";
        await Assert.ThrowsAsync<InvalidOperationException>(() => _containers.CreateAsync(Request));

        var view = await _containers.CreateAsync(Request);

        Assert.Equal("web", view.Name);
        Assert.Equal(ContainerPhase.Created, view.Container.Phase);
        Assert.Equal("leases: 10.88.0.3\nmounts: 1\nnetns: 1\nendpoints: 1", _resources.Dump());
        Assert.True(File.Exists(_resources.Paths(view.Id).Config));
    }

    public void Dispose()
    {
        _exits.Dispose();
        Directory.Delete(_dir, recursive: true);
    }
}
