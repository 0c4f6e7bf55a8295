using System.Text.Json;

namespace MyDocker.E2ETests.Infrastructure;

/// <summary>
/// Everything of a container that could outlive it, read independently of the engine: veths in the daemon's netns,
/// mounts and netns files under the test root, runc state, monitors, cgroups, container directories and leases.
/// Used to prove that "after rm -f nothing remains" and that a refused request "left nothing behind".
/// </summary>
public static class ContainerTraces
{
    public static List<string> Of(DaemonUnderTest d)
    {
        var traces = new List<string>();
        traces.AddRange(KernelSnapshot.Of(d.Netns).Links.Where(l => l.Kind == "veth").Select(l => $"veth {l.Name} {l.Alias}"));
        traces.AddRange(Leftovers.MountsUnder(d.Root).Select(m => "mount " + m));
        string netnsDir = Path.Combine(d.ExecRoot, "netns");
        if (Directory.Exists(netnsDir)) traces.AddRange(Directory.GetFiles(netnsDir).Select(f => "netns file " + Path.GetFileName(f)));
        string runcRoot = Path.Combine(d.ExecRoot, "runc");
        if (Directory.Exists(runcRoot))
            traces.AddRange(Command.TryRun("runc", ["--root", runcRoot, "list", "-q"]).Stdout
                .Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(id => "runc " + id));
        traces.AddRange(Leftovers.CgroupDirs(d.CgroupParent)
            .SelectMany(h => Directory.GetDirectories(h)).Select(c => "cgroup " + c));
        var (_, monitors, _) = Command.TryRun("pgrep", ["-f", "conmon .*" + d.Root]);
        traces.AddRange(monitors.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(p => "conmon pid " + p));
        string containers = Path.Combine(d.DataRoot, "containers");
        if (Directory.Exists(containers)) traces.AddRange(Directory.GetDirectories(containers).Select(c => "dir " + Path.GetFileName(c)));
        foreach (var network in d.NetworkNames())
        {
            var n = d.InspectNetwork(network);
            foreach (var c in n.GetProperty("Containers").EnumerateObject())
                traces.Add($"lease {network} {c.Value.GetProperty("IPv4Address").GetString()} {c.Name[..12]}");
        }
        traces.AddRange(Ps(d, all: true).Select(c => $"container {c.Name} {c.State}"));
        traces.AddRange(PortElements(d.Netns).Select(e => "nft " + e));
        traces.AddRange(BoundSockets(d.Netns).Select(s => "socket " + s));
        return traces;
    }

    /// <summary>The published-port map elements of the engine's table in <paramref name="ns"/> ("ports_any tcp . 8080 :
    /// 10.0.0.2 . 80"); none when there is no table.</summary>
    public static List<string> PortElements(TestNetns ns)
    {
        var elements = new List<string>();
        foreach (var map in new[] { "ports_any", "ports_addr" })
        {
            var (code, text, _) = ns.TryExec("nft", "list", "map", "ip", "mydocker", map);
            if (code != 0) continue;
            int open = text.IndexOf("elements = {", StringComparison.Ordinal);
            if (open < 0) continue;
            int close = text.IndexOf('}', open);
            elements.AddRange(text[(open + 12)..close].Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
                .Select(e => $"{map} {System.Text.RegularExpressions.Regex.Replace(e, @"\s+", " ")}"));
        }
        return elements;
    }

    /// <summary>Listening TCP sockets and bound UDP sockets of <paramref name="ns"/>, as "tcp 8080 0A" (proc_net_tcp.rst:
    /// local port, state hex). A TCP socket that is bound but neither listening nor connected (how the engine holds a
    /// published TCP port) is in no table /proc lists; a bind attempt is the way to see it.</summary>
    public static List<string> BoundSockets(TestNetns ns)
    {
        var sockets = new List<string>();
        foreach (var proto in new[] { "tcp", "udp" })
            foreach (var line in ns.Exec("cat", $"/proc/net/{proto}").Split('\n').Skip(1))
            {
                var cols = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (cols.Length < 4 || proto == "tcp" && cols[3] != "0A") continue;
                // The name resolver's own sockets (169.254.53.53:53, "3535FEA9:0035" in /proc's little-endian hex): the
                // engine's, started with the first name it serves and kept for the next, not a container's.
                if (cols[1] == "3535FEA9:0035") continue;
                sockets.Add($"{proto} {Convert.ToInt32(cols[1].Split(':')[1], 16)} {cols[3]}");
            }
        sockets.Sort(StringComparer.Ordinal);
        return sockets;
    }

    /// <summary>
    /// Asserts that the traces come back to <paramref name="expected"/>. Not at once: a removed container's veth is
    /// deleted in the background by the LinkReaper when requests pause (at most about a second later), as bridges are.
    /// </summary>
    public static void AssertBackTo(DaemonUnderTest d, List<string> expected)
    {
        List<string> now = [];
        d.Eventually(() => (now = Of(d)).SequenceEqual(expected), "container traces back to the state before");
        Assert.Equal(expected, now);
    }

    public sealed record Row(string Id, string Name, string State, string Status, string Ip);

    /// <summary>Containers as the API lists them.</summary>
    public static List<Row> Ps(DaemonUnderTest d, bool all = true)
    {
        using var http = d.Http();
        var json = http.GetStringAsync(all ? "/containers/json?all=1" : "/containers/json").Result;
        using var doc = JsonDocument.Parse(json);
        return doc.RootElement.EnumerateArray().Select(c => new Row(
            c.GetProperty("Id").GetString()!,
            c.GetProperty("Names")[0].GetString()!.TrimStart('/'),
            c.GetProperty("State").GetString()!,
            c.GetProperty("Status").GetString()!,
            c.GetProperty("NetworkSettings").GetProperty("Networks").EnumerateObject().Select(n => n.Value.GetProperty("IPAddress").GetString()!).FirstOrDefault() ?? ""))
            .ToList();
    }
}
