using MyDocker.Engine.Kernel.Nftables;
using MyDocker.Engine.Networks.Firewall.Foreign;

namespace MyDocker.UnitTests.Kernel;

/// <summary>Which nftables transactions are the engine's own: by the committing task, as NFT_MSG_NEWGEN names it.</summary>
public class NftCommitsTests
{
    private static NftTransaction By(int pid, uint generation) => new(generation, pid, "x", new HashSet<NftTableName>());

    [Fact]
    public void A_transaction_committed_by_a_thread_of_this_process_is_its_own_and_another_process_is_not()
    {
        var commits = new NftCommits(() => 1);
        int thread = int.Parse(Directory.GetDirectories("/proc/self/task").Select(Path.GetFileName).First()!);
        Assert.True(commits.IsOwn(By(thread, 5)));
        Assert.False(commits.IsOwn(By(int.MaxValue - 7, 5)));   // no such task here
        Assert.False(commits.IsOwn(By(0, 5)));
    }

    [Fact]
    public void A_child_is_own_while_it_runs_and_for_the_generations_up_to_its_exit_but_not_a_later_process_with_its_pid()
    {
        uint generation = 10;
        var commits = new NftCommits(() => generation);
        const int pid = 2_000_000_123;
        Assert.False(commits.IsOwn(By(pid, 11)));
        commits.Started(pid);
        Assert.True(commits.IsOwn(By(pid, 11)));
        generation = 11;
        commits.Exited(pid);
        Assert.True(commits.IsOwn(By(pid, 11)));                // its notification read after it exited
        Assert.False(commits.IsOwn(By(pid, 12)));               // the pid reused by someone else
    }

    [Fact]
    public void Run_returns_the_generation_of_a_commit_that_was_alone_and_null_otherwise()
    {
        uint generation = 7;
        var commits = new NftCommits(() => generation);
        Assert.Equal(8u, commits.Run(() => generation++));
        Assert.Null(commits.Run(() => generation += 2));         // someone else committed too
        Assert.Null(commits.Run(() => { }));                     // nothing committed
    }

    [Fact]
    public void The_process_runner_reports_each_program_it_runs_from_start_to_exit()
    {
        var seen = new List<string>();
        var children = new Recorder(seen);
        var r = new ProcessRunner(children: children).Run("sh", ["-c", "echo $$; cat"], "in");
        Assert.Equal(0, r.ExitCode);
        Assert.Equal("in", r.Stdout.Split('\n')[1]);
        int pid = int.Parse(r.Stdout.Split('\n')[0]);
        Assert.Equal([$"started {pid}", $"exited {pid}"], seen);
    }

    private sealed class Recorder(List<string> seen) : IChildProcesses
    {
        public void Started(int pid) => seen.Add($"started {pid}");
        public void Exited(int pid) => seen.Add($"exited {pid}");
    }
}
