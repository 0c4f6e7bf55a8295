using MyDocker.E2ETests.Infrastructure;

namespace MyDocker.E2ETests.Networks;

/// <summary>
/// Containers find each other by name (issue 13) through the engine's resolver, asked the way a program in the
/// container asks: `nslookup` reading the container's own /etc/resolv.conf. Fresh: a name answers when `run`/`start`
/// returns and no longer when `stop`/`rm` returns; names stay on their network; the resolver outlives a killed daemon
/// and is started again when it dies. The daemon's "host" name server is a TEST-NET address with no route in the
/// test's namespace, so a forwarded question fails at once and no packet leaves.
/// </summary>
public sealed class NameResolutionTests : IClassFixture<NameResolutionTests.Daemon>
{
    public sealed class Daemon : IDisposable
    {
        public DaemonUnderTest D { get; } = Started("names");

        public void Dispose() => D.Dispose();
    }

    private static DaemonUnderTest Started(string purpose)
    {
        var d = new DaemonUnderTest(purpose, start: false);
        string resolvConf = Path.Combine(d.Root, "resolv.conf");
        File.WriteAllText(resolvConf, "nameserver 192.0.2.1\n");
        d.ExtraEnv["MYDOCKER_MyDocker__ResolvConfPath"] = resolvConf;
        d.WithBusybox().Start();
        return d;
    }

    private readonly DaemonUnderTest _d;
    public NameResolutionTests(Daemon fixture) => _d = fixture.D;

    /// <summary>busybox nslookup in the container: its exit code and output ("Address: 10.…" per answer).</summary>
    private static CliResult Lookup(DaemonUnderTest d, string container, string name) => d.Cli("exec", container, "nslookup", "-type=a", name);

    private static void Answers(DaemonUnderTest d, string container, string name, string address)
    {
        var r = Lookup(d, container, name);
        Assert.True(r.ExitCode == 0 && r.Stdout.Contains("Address: " + address), $"{container} asking {name}: {r}");
    }

    private static void DoesNotAnswer(DaemonUnderTest d, string container, string name, string address)
    {
        var r = Lookup(d, container, name);
        Assert.False(r.Stdout.Contains(address), $"{container} asking {name} still got {address}: {r}");
        Assert.NotEqual(0, r.ExitCode);
    }

    [Fact]
    public void A_name_answers_when_run_returns_on_its_network_only_and_stops_when_rm_returns()
    {
        _d.CliOk("network", "create", "--subnet", "10.95.0.0/24", "app");
        _d.CliOk("network", "create", "--subnet", "10.96.0.0/24", "other");
        var client = _d.RunDetached("--name", "client", "--network", "app", "busybox", "sleep", "600");
        var outsider = _d.RunDetached("--name", "outsider", "--network", "other", "busybox", "sleep", "600");
        var db = _d.RunDetached("--name", "db", "--hostname", "primary", "--network", "app", "busybox", "sleep", "600");
        string ip = _d.IpOf("db");

        Answers(_d, "client", "db", ip);
        Answers(_d, "client", "DB.", ip);
        Answers(_d, "client", db[..12], ip);
        Answers(_d, "client", "primary", ip);
        Assert.Contains("nameserver 169.254.53.53", _d.CliOk("exec", "client", "cat", "/etc/resolv.conf"));
        DoesNotAnswer(_d, "outsider", "db", ip);

        _d.CliOk("rm", "-f", "db");
        DoesNotAnswer(_d, "client", "db", ip);
        _d.CliOk("rm", "-f", client, outsider);
    }

    [Fact]
    public void Stop_withdraws_a_name_and_start_brings_it_back()
    {
        _d.CliOk("network", "create", "--subnet", "10.97.0.0/24", "shop");
        _d.RunDetached("--name", "shop-client", "--network", "shop", "busybox", "sleep", "600");
        _d.RunDetached("--name", "cart", "--network", "shop", "busybox", "sleep", "600");
        string ip = _d.IpOf("cart");
        Answers(_d, "shop-client", "cart", ip);

        _d.CliOk("stop", "-t", "0", "cart");
        DoesNotAnswer(_d, "shop-client", "cart", ip);

        _d.CliOk("start", "cart");
        Answers(_d, "shop-client", "cart", ip);
        _d.CliOk("rm", "-f", "cart", "shop-client");
    }

    [Fact]
    public void On_the_default_network_no_container_names_are_served_and_the_host_servers_are_used()
    {
        _d.RunDetached("--name", "plain", "busybox", "sleep", "600");
        Assert.DoesNotContain("169.254.53.53", _d.CliOk("exec", "plain", "cat", "/etc/resolv.conf"));
        _d.CliOk("rm", "-f", "plain");
    }

    [Fact]
    public void Names_keep_answering_while_the_daemon_is_killed_and_the_resolver_is_started_again_when_it_dies()
    {
        using var d = Started("names-kill");
        d.CliOk("network", "create", "--subnet", "10.98.0.0/24", "app");
        var client = d.RunDetached("--name", "client", "--network", "app", "busybox", "sleep", "600");
        d.RunDetached("--name", "db", "--network", "app", "busybox", "sleep", "600");
        string ip = d.IpOf("db");
        // Asked from the client's namespace with the host's busybox: no daemon is needed to ask.
        bool Resolves() => d.InContainerNetns(client, "busybox", "nslookup", "-type=a", "db", "169.254.53.53") is { ExitCode: 0 } r
                           && r.Stdout.Contains("Address: " + ip);

        d.Kill();
        Assert.True(Resolves(), "no answer while the daemon is dead");
        d.Start();
        Assert.True(Resolves(), "no answer after the daemon's restart");

        int pid = int.Parse(File.ReadAllText(Path.Combine(d.ExecRoot, "resolver.pid")).Trim());
        Command.TryRun("kill", ["-KILL", pid.ToString()]);
        d.Eventually(Resolves, "the resolver answers again after it was killed");
        Assert.NotEqual(pid, int.Parse(File.ReadAllText(Path.Combine(d.ExecRoot, "resolver.pid")).Trim()));
    }
}
