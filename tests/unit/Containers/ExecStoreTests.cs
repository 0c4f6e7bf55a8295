using MyDocker.Engine;
using MyDocker.Engine.Containers;

namespace MyDocker.UnitTests.Containers;

/// <summary>Exec instances are bounded: unstarted ones expire, finished ones beyond the cap go oldest first.</summary>
public class ExecStoreTests
{
    private sealed class Clock : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = new(2026, 11, 24, 6, 0, 0, TimeSpan.Zero);
        public override DateTimeOffset GetUtcNow() => Now;
    }

    private static readonly ExecConfig Sleep = new(["sleep", "1"], false, [], null, null);

    [Fact]
    public void An_unstarted_exec_instance_is_evicted_after_the_ttl_a_started_one_is_not()
    {
        var clock = new Clock();
        var store = new ExecStore(clock);
        var idle = store.Add("c1", Sleep);
        var started = store.Add("c1", Sleep);
        started.Started = true;
        clock.Now += ExecStore.UnstartedTtl;
        store.Add("c1", Sleep);
        Assert.Same(idle, store.Get(idle.Id)); // not older than the TTL yet

        clock.Now += TimeSpan.FromSeconds(1);
        store.Add("c1", Sleep);
        var e = Assert.Throws<EngineException>(() => store.Get(idle.Id));
        Assert.Equal(ErrorKind.NotFound, e.Kind);
        Assert.Same(started, store.Get(started.Id));
        Assert.Equal(3, store.Count);
    }

    [Fact]
    public void Finished_instances_beyond_the_cap_go_oldest_first()
    {
        var clock = new Clock();
        var store = new ExecStore(clock);
        var first = store.Add("c1", Sleep);
        first.Started = true;
        for (int i = 1; i < ExecStore.KeptFinished; i++)
        {
            clock.Now += TimeSpan.FromMilliseconds(1);
            store.Add("c1", Sleep).Started = true;
        }
        Assert.Same(first, store.Get(first.Id));
        store.Add("c1", Sleep);
        Assert.Throws<EngineException>(() => store.Get(first.Id));
        Assert.Equal(ExecStore.KeptFinished, store.Count);
    }

    [Fact]
    public void A_removed_containers_instances_go_with_it()
    {
        var store = new ExecStore(new Clock());
        var a = store.Add("c1", Sleep);
        var b = store.Add("c2", Sleep);
        store.ForgetContainer("c1");
        Assert.Throws<EngineException>(() => store.Get(a.Id));
        Assert.Same(b, store.Get(b.Id));
    }
}
