using MyDocker.E2ETests.Infrastructure;

namespace MyDocker.E2ETests.Containers;

/// <summary>Every bad container request of the issue is refused with a message naming the problem, a non-zero exit,
/// and nothing left behind (kernel, mounts, runtime, cgroups, database, leases).</summary>
public sealed class ContainerBadInputTests : IClassFixture<ContainerBadInputTests.Daemon>
{
    public sealed class Daemon : IDisposable
    {
        public DaemonUnderTest D { get; } = new DaemonUnderTest("cbi").WithBusybox();
        public string Existing { get; }

        public Daemon()
        {
            D.CliOk("network", "create", "--subnet", "10.91.0.0/24", "lan");
            // Occupies 10.91.0.2 and the name "taken"; the snapshot below includes it.
            D.RunDetached("--name", "taken", "--network", "lan", "--ip", "10.91.0.2", "busybox", "sleep", "1000");
            Existing = Path.Combine(D.Root, "exists");
            Directory.CreateDirectory(Existing);
        }

        public void Dispose() => D.Dispose();
    }

    private readonly DaemonUnderTest _d;
    private readonly string _existing;

    public ContainerBadInputTests(Daemon fixture)
    {
        _d = fixture.D;
        _existing = fixture.Existing;
    }

    public static TheoryData<string[], string> Refused => new()
    {
        { ["run", "-d", "nosuchimage"], "nosuchimage" },
        { ["run", "-d", "--network", "nosuchnet", "busybox", "true"], "network 'nosuchnet' not found" },
        { ["run", "-d", "--network", "lan", "--ip", "10.92.0.5", "busybox", "true"], "outside network 'lan'" },
        { ["run", "-d", "--network", "lan", "--ip", "10.91.0.1", "busybox", "true"], "gateway" },
        { ["run", "-d", "--network", "lan", "--ip", "10.91.0.2", "busybox", "true"], "10.91.0.2" },
        { ["run", "-d", "--network", "lan", "--ip", "10.91.0.999", "busybox", "true"], "10.91.0.999" },
        { ["run", "-d", "--name", "taken", "busybox", "true"], "already in use" },
        { ["run", "-d", "--name", "a/b", "busybox", "true"], "'/'" },
        { ["run", "-d", "--name", "a b", "busybox", "true"], "space" },
        { ["run", "-d", "-v", "relative/dir:/data", "busybox", "true"], "relative" },
        { ["run", "-d", "-v", "/no/such/dir/anywhere:/data", "busybox", "true"], "does not exist" },
        { ["run", "-d", "-m", "lots", "busybox", "true"], "lots" },
        { ["run", "-d", "-m", "1m", "busybox", "true"], "6" },
        { ["run", "-d", "--security-opt", "apparmor=unconfined", "busybox", "true"], "AppArmor" },
        { ["run", "-d", "--cap-add", "NOPE", "busybox", "true"], "no such capability" },
        { ["run", "-d", "--hostname", "web\n10.0.0.9 bank.example", "busybox", "true"], "hostname 'web?10.0.0.9 bank.example' is not valid" },
        { ["run", "-d", "-w", "app", "busybox", "true"], "the working directory 'app' is invalid: it needs to be an absolute path" },
        { ["run", "-d", "--dns", "dns.google", "busybox", "true"], "DNS server \"dns.google\" (--dns) is not an IP address" },
        { ["run", "-d", "--add-host", "h1", "busybox", "true"], "extra host \"h1\" (--add-host) has no address" },
        { ["rm", "taken"], "is running" },
    };

    [Theory]
    [MemberData(nameof(Refused))]
    public void Is_refused_with_a_clear_error_and_changes_nothing(string[] args, string expected)
    {
        var before = ContainerTraces.Of(_d);
        var r = _d.Cli(args);
        Assert.NotEqual(0, r.ExitCode);
        Assert.Contains(expected, r.Stderr);
        ContainerTraces.AssertBackTo(_d, before);
    }

    [Fact]
    public void A_command_missing_from_the_image_fails_with_127_and_is_cleaned_up()
    {
        var before = ContainerTraces.Of(_d);
        var r = _d.Cli("run", "--network", "lan", "busybox", "no-such-command");
        Assert.Equal(127, r.ExitCode);
        Assert.Contains("no-such-command", r.Stderr);
        ContainerTraces.AssertBackTo(_d, before);

        var detached = _d.Cli("run", "-d", "--network", "lan", "busybox", "/bin/nothing-here");
        Assert.Equal(127, detached.ExitCode);
        ContainerTraces.AssertBackTo(_d, before);
    }
}
