using System.Text.Json;

namespace MyDocker.E2ETests.Infrastructure;

/// <summary>
/// What the kernel of a namespace holds, read with the standard tools (ip -j, nft -j) rather than the engine's own
/// code, so the tests check the engine against an independent view.
/// </summary>
public sealed record KernelSnapshot(
    IReadOnlyList<(string Name, string? Kind, string? Alias, bool Up)> Links,
    IReadOnlyList<(string Dev, string Cidr)> Addresses,
    IReadOnlyList<(string Dst, string Dev)> Routes,
    string NftTable)
{
    public static KernelSnapshot Of(TestNetns ns)
    {
        var links = new List<(string, string?, string?, bool)>();
        using (var doc = JsonDocument.Parse(ns.Exec("ip", "-j", "-d", "link", "show")))
            foreach (var l in doc.RootElement.EnumerateArray())
                links.Add((l.GetProperty("ifname").GetString()!,
                    l.TryGetProperty("linkinfo", out var li) && li.TryGetProperty("info_kind", out var k) ? k.GetString() : null,
                    l.TryGetProperty("ifalias", out var a) ? a.GetString() : null,
                    l.GetProperty("flags").EnumerateArray().Any(f => f.GetString() == "UP")));
        var addrs = new List<(string, string)>();
        using (var doc = JsonDocument.Parse(ns.Exec("ip", "-j", "-4", "addr", "show")))
            foreach (var l in doc.RootElement.EnumerateArray())
                foreach (var a in l.GetProperty("addr_info").EnumerateArray())
                    addrs.Add((l.GetProperty("ifname").GetString()!, $"{a.GetProperty("local").GetString()}/{a.GetProperty("prefixlen").GetInt32()}"));
        var routes = new List<(string, string)>();
        using (var doc = JsonDocument.Parse(ns.Exec("ip", "-j", "-4", "route", "show")))
            foreach (var r in doc.RootElement.EnumerateArray())
                routes.Add((r.GetProperty("dst").GetString()!, r.TryGetProperty("dev", out var d) ? d.GetString()! : ""));
        var nft = ns.TryExec("nft", "list", "table", "ip", "mydocker");
        return new KernelSnapshot(links, addrs, routes, nft.ExitCode == 0 ? nft.Stdout : "");
    }

    /// <summary>Links the engine marked as its own.</summary>
    public IEnumerable<string> EngineLinks => Links.Where(l => l.Alias?.StartsWith("mydocker:") == true).Select(l => l.Name);

    /// <summary>Bridges anywhere in the namespace (the test namespace starts with none).</summary>
    public IEnumerable<string> Bridges => Links.Where(l => l.Kind == "bridge").Select(l => l.Name);

    /// <summary>A stable text form, to compare "before" and "after" an operation that must change nothing.</summary>
    public string Describe() =>
        string.Join("\n", Links.OrderBy(l => l.Name).Select(l => $"link {l.Name} {l.Kind} {l.Alias} {(l.Up ? "up" : "down")}")
            .Concat(Addresses.OrderBy(a => a.Dev).ThenBy(a => a.Cidr).Select(a => $"addr {a.Dev} {a.Cidr}"))
            .Concat(Routes.OrderBy(r => r.Dst).Select(r => $"route {r.Dst} {r.Dev}"))
            .Append(CanonicalTable(NftTable)));

    /// <summary>nft lists chains in the order they were made, and a rebuilt table (daemon start) makes the per-bridge
    /// hairpin chains in another order than network creates did: the order carries no meaning, so chains are sorted.</summary>
    private static string CanonicalTable(string table)
    {
        var lines = table.Split('\n');
        var head = new List<string>();
        var chains = new List<List<string>>();
        List<string>? chain = null;
        foreach (var line in lines)
        {
            if (line.StartsWith("\tchain ", StringComparison.Ordinal)) chains.Add(chain = []);
            if (chain is not null) chain.Add(line);
            else head.Add(line);
            if (chain is not null && line == "\t}") chain = null;
        }
        return string.Join("\n", head.Concat(chains.OrderBy(c => c[0], StringComparer.Ordinal).SelectMany(c => c)));
    }
}
