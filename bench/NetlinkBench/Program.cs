// Times rtnetlink operations inside two throw-away network namespaces ("host" and "container" side).
// Usage (root): dotnet run -c Release --project bench/NetlinkBench [pairs=100] [rounds=5]
using System.Diagnostics;
using System.Net;
using MyDocker.Engine.Kernel.Netlink;
using MyDocker.Engine.Networks.Bridge;
using MyDocker.Engine.Networks;

int pairs = args.Length > 0 ? int.Parse(args[0]) : 100;
int rounds = args.Length > 1 ? int.Parse(args[1]) : 5;
string suffix = Guid.NewGuid().ToString("N")[..8];
string hostNs = "mdt-bench-h-" + suffix, peerNs = "mdt-bench-c-" + suffix;

Ip("netns", "add", hostNs);
Ip("netns", "add", peerNs);
try
{
    using var nl = RtNetlink.OpenInNetns("/run/netns/" + hostNs);
    using var peerNsFile = File.OpenHandle("/run/netns/" + peerNs);
    int peerFd = (int)peerNsFile.DangerousGetHandle();

    for (int round = 0; round < rounds; round++)
    {
        var watch = Stopwatch.StartNew();
        for (int i = 0; i < pairs; i++) nl.CreateVethPair($"bh{round}-{i}", $"bp{round}-{i}", peerFd);
        double create = watch.Elapsed.TotalMilliseconds;

        // The loopback guard every container veth gets (clsact qdisc + classic-BPF filter) and its read-back check.
        var indexes = Enumerable.Range(0, pairs).Select(i => nl.GetLink($"bh{round}-{i}")!.Index).ToList();
        watch.Restart();
        foreach (int index in indexes) LoopbackGuard.Install(nl, index);
        double guard = watch.Elapsed.TotalMilliseconds;
        watch.Restart();
        int guarded = indexes.Count(index => LoopbackGuard.IsInstalled(nl, index));
        double check = watch.Elapsed.TotalMilliseconds;
        if (guarded != pairs) throw new InvalidOperationException($"{pairs - guarded} guards do not read back");

        watch.Restart();
        int bridge = nl.CreateBridge($"bbr{round}");
        nl.SetAlias(bridge, "mydocker:bench");
        nl.SetUp(bridge);
        nl.AddAddress(bridge, IPAddress.Parse($"10.250.{round}.1"), 24);
        for (int i = 0; i < pairs; i++)
        {
            int index = nl.GetLink($"bh{round}-{i}")!.Index;
            nl.SetMaster(index, bridge);
            nl.SetUp(index);
        }
        double configure = watch.Elapsed.TotalMilliseconds;

        watch.Restart();
        int links = nl.ListLinks().Count, addresses = nl.ListAddresses().Count, routes = nl.ListRoutes().Count;
        double list = watch.Elapsed.TotalMilliseconds;

        watch.Restart();
        for (int i = 0; i < pairs; i++) nl.DeleteLink($"bh{round}-{i}");
        nl.DeleteLink($"bbr{round}");
        double delete = watch.Elapsed.TotalMilliseconds;

        Console.WriteLine($"round {round}: {pairs} veth creates {create,7:F1} ms | {pairs} guards {guard,6:F1} ms, checked {check,6:F1} ms | " +
                          $"bridge + {pairs}x(get, master, up) {configure,7:F1} ms | " +
                          $"list {links} links/{addresses} addrs/{routes} routes {list,5:F1} ms | {pairs + 1} deletes {delete,7:F1} ms");
    }
}
finally
{
    Ip("netns", "delete", hostNs);
    Ip("netns", "delete", peerNs);
}

static void Ip(params string[] args)
{
    using var p = Process.Start("ip", args);
    p.WaitForExit();
    if (p.ExitCode != 0) throw new InvalidOperationException($"ip {string.Join(' ', args)} exited {p.ExitCode}");
}
