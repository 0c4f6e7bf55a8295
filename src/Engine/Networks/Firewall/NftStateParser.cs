using System.Net;
using System.Text.Json;

namespace MyDocker.Engine.Networks.Firewall;

/// <summary>Reads libnftables JSON output (libnftables-json(5): a top-level "nftables" array of objects, each with
/// one key: "metainfo", "table", "set", "chain", "rule", ...).</summary>
internal static class NftStateParser
{
    private static readonly string[] BaseSets =
    [
        NftRuleset.BridgesSet, NftRuleset.InternalSet, NftRuleset.MasqSet, NftRuleset.SameBridgeSet,
        NftRuleset.PortsAnyMap, NftRuleset.PortsAddrMap, NftRuleset.HairpinMap,
    ];
    private static readonly string[] BaseChains =
        [NftRuleset.GuardChain, NftRuleset.PreroutingChain, NftRuleset.OutputChain, NftRuleset.ForwardChain, NftRuleset.PostroutingChain];

    /// <summary>Parses the output of "list table ip mydocker".</summary>
    public static FirewallState Parse(string json)
    {
        using var doc = JsonDocument.Parse(json);
        bool table = false;
        var sets = new Dictionary<string, List<JsonElement>>(StringComparer.Ordinal);
        var chains = new HashSet<string>(StringComparer.Ordinal);
        var rules = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var (kind, obj) in Objects(doc))
        {
            if (!IsOurs(obj, kind == "table" ? "name" : "table")) continue;
            switch (kind)
            {
                case "table":
                    table = true;
                    break;
                case "set" or "map":
                    var elems = new List<JsonElement>();
                    if (obj.TryGetProperty("elem", out var e))
                    {
                        if (e.ValueKind == JsonValueKind.Array) elems.AddRange(e.EnumerateArray());
                        else elems.Add(e);
                    }
                    if (obj.TryGetProperty("name", out var sn) && sn.GetString() is { } setName) sets[setName] = elems;
                    break;
                case "chain":
                    if (obj.TryGetProperty("name", out var cn) && cn.GetString() is { } chainName) chains.Add(chainName);
                    break;
                case "rule":
                    if (obj.TryGetProperty("chain", out var rc) && rc.GetString() is { } ruleChain) rules[ruleChain] = rules.GetValueOrDefault(ruleChain) + 1;
                    break;
            }
        }

        var hairpin = FirstNames(sets, NftRuleset.HairpinMap);
        hairpin.RemoveWhere(bridge => !chains.Contains(NftRuleset.HairpinChain(bridge)));
        bool complete = table && BaseSets.All(sets.ContainsKey) && BaseChains.All(chains.Contains);
        return new FirewallState(complete,
            FirstNames(sets, NftRuleset.BridgesSet),
            FirstNames(sets, NftRuleset.InternalSet),
            FirstNames(sets, NftRuleset.MasqSet))
        {
            SameBridges = FirstNames(sets, NftRuleset.SameBridgeSet),
            HairpinBridges = hairpin,
            RuleCounts = rules,
            Ports = [.. Ports(sets, NftRuleset.PortsAnyMap, withAddress: false), .. Ports(sets, NftRuleset.PortsAddrMap, withAddress: true)],
        };
    }

    /// <summary>Map elements print as [key, value] pairs of concatenations: [{"concat": ["tcp", 8080]}, {"concat":
    /// ["10.0.0.2", 80]}] (the host address first in ports_addr). Ports print as numbers (the context does not ask for
    /// service names); an element this parser cannot read is skipped, which the caller sees as drift.</summary>
    private static IEnumerable<PortMapping> Ports(Dictionary<string, List<JsonElement>> sets, string map, bool withAddress)
    {
        if (!sets.TryGetValue(map, out var elems)) yield break;
        foreach (var e in elems)
        {
            var pair = e.ValueKind == JsonValueKind.Object && e.TryGetProperty("elem", out var inner) && inner.TryGetProperty("val", out var v) ? v : e;
            if (pair.ValueKind != JsonValueKind.Array || pair.GetArrayLength() != 2) continue;
            var key = Concat(pair[0]);
            var value = Concat(pair[1]);
            if (key is null || value is not [var cip, var cport]) continue;
            int k = withAddress ? 1 : 0;
            if (key.Length != k + 2) continue;
            IPAddress? hostIp = null;
            if (withAddress && !IPAddress.TryParse(key[0].GetString(), out hostIp)) continue;
            string? proto = key[k].ValueKind == JsonValueKind.String ? key[k].GetString() : null;
            if (proto is not ("tcp" or "udp") || !IPAddress.TryParse(cip.GetString(), out var containerIp)) continue;
            if (Number(key[k + 1]) is not { } hostPort || Number(cport) is not { } containerPort) continue;
            yield return new PortMapping(proto, hostIp, hostPort, containerIp, containerPort);
        }
    }

    private static JsonElement[]? Concat(JsonElement e) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty("concat", out var c) && c.ValueKind == JsonValueKind.Array
            ? c.EnumerateArray().ToArray()
            : null;

    private static int? Number(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.Number when e.TryGetInt32(out int n) => n,
        JsonValueKind.String when int.TryParse(e.GetString(), out int n) => n,
        _ => null,
    };

    /// <summary>True when the output of "list tables ip" names our table.</summary>
    public static bool ListsTable(string json)
    {
        using var doc = JsonDocument.Parse(json);
        return Objects(doc).Any(o => o.Kind == "table" && IsOurs(o.Value, "name"));
    }

    private static IEnumerable<(string Kind, JsonElement Value)> Objects(JsonDocument doc)
    {
        if (!doc.RootElement.TryGetProperty("nftables", out var items) || items.ValueKind != JsonValueKind.Array)
            throw new FormatException("nft JSON output has no \"nftables\" array.");
        foreach (var item in items.EnumerateArray())
            if (item.ValueKind == JsonValueKind.Object)
                foreach (var p in item.EnumerateObject())
                    yield return (p.Name, p.Value);
    }

    private static bool IsOurs(JsonElement obj, string tableKey) =>
        obj.ValueKind == JsonValueKind.Object
        && obj.TryGetProperty("family", out var f) && f.GetString() == NftRuleset.Family
        && obj.TryGetProperty(tableKey, out var t) && t.GetString() == NftRuleset.Table;

    /// <summary>The interface name of each element: the element itself for an ifname set, the first component of a
    /// concatenation ({"concat": ["br", ...]}), unwrapping {"elem": {"val": ...}} (elements with comments/timeouts).</summary>
    private static HashSet<string> FirstNames(Dictionary<string, List<JsonElement>> sets, string set)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        if (!sets.TryGetValue(set, out var elems)) return names;
        foreach (var e in elems)
            if (FirstName(e) is { } name) names.Add(name);
        return names;
    }

    private static string? FirstName(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.String => e.GetString(),
        // A verdict map element: ["br0", {"jump": {"target": "hp_br0"}}].
        JsonValueKind.Array when e.GetArrayLength() == 2 => FirstName(e[0]),
        JsonValueKind.Object when e.TryGetProperty("elem", out var inner) && inner.TryGetProperty("val", out var val) => FirstName(val),
        JsonValueKind.Object when e.TryGetProperty("concat", out var c) && c.ValueKind == JsonValueKind.Array && c.GetArrayLength() > 0 => FirstName(c[0]),
        _ => null,
    };
}
