using MyDocker.Engine.Common;

namespace MyDocker.UnitTests.Containers;

/// <summary>Address allocation (shared) against network removal (exclusive).</summary>
public class SharedExclusiveLockTests
{
    /// <summary>A wait that would never end fails the test instead of hanging the run.</summary>
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Shared_holders_overlap_an_exclusive_one_waits_for_them_and_blocks_new_ones()
    {
        var gate = new SharedExclusiveLock();
        var a = await gate.SharedAsync();
        var b = await gate.SharedAsync(); // no wait: both hold it
        var exclusive = gate.ExclusiveAsync();
        Assert.False(exclusive.IsCompleted);
        var late = gate.SharedAsync(); // behind the waiting exclusive holder: no starvation
        a.Dispose();
        Assert.False(exclusive.IsCompleted);
        b.Dispose();
        var held = await exclusive.WaitAsync(Bound);
        Assert.False(late.IsCompleted);
        held.Dispose();
        (await late.WaitAsync(Bound)).Dispose();
        (await gate.ExclusiveAsync().WaitAsync(Bound)).Dispose();
    }

    [Fact]
    public async Task Two_exclusive_holders_never_overlap_and_a_release_is_idempotent()
    {
        var gate = new SharedExclusiveLock();
        var first = await gate.ExclusiveAsync();
        var second = gate.ExclusiveAsync();
        Assert.False(second.IsCompleted);
        first.Dispose();
        first.Dispose();
        var held = await second.WaitAsync(Bound);
        Assert.False(gate.SharedAsync().IsCompleted);
        held.Dispose();
    }
}
