using System.Text.Json;

namespace MyDocker.Engine.Networks.Firewall;

/// <summary>Reads libnftables JSON output (libnftables-json(5): a top-level "nftables" array of objects, each with
/// one key: "metainfo", "table", "set", "chain", "rule", ...).</summary>
internal static class NftStateParser
{
    private static readonly string[] BaseSets = [NftRuleset.BridgesSet, NftRuleset.InternalSet, NftRuleset.MasqSet, NftRuleset.SameBridgeSet];
    private static readonly string[] BaseChains = [NftRuleset.ForwardChain, NftRuleset.PostroutingChain];

    /// <summary>Parses the output of "list table ip mydocker".</summary>
    public static FirewallState Parse(string json)
    {
        using var doc = JsonDocument.Parse(json);
        bool table = false;
        var sets = new Dictionary<string, List<JsonElement>>(StringComparer.Ordinal);
        var chains = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (kind, obj) in Objects(doc))
        {
            if (!IsOurs(obj, kind == "table" ? "name" : "table")) continue;
            switch (kind)
            {
                case "table":
                    table = true;
                    break;
                case "set":
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
            }
        }

        bool complete = table && BaseSets.All(sets.ContainsKey) && BaseChains.All(chains.Contains);
        return new FirewallState(complete,
            FirstNames(sets, NftRuleset.BridgesSet),
            FirstNames(sets, NftRuleset.InternalSet),
            FirstNames(sets, NftRuleset.MasqSet))
        {
            SameBridges = FirstNames(sets, NftRuleset.SameBridgeSet),
        };
    }

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
        JsonValueKind.Object when e.TryGetProperty("elem", out var inner) && inner.TryGetProperty("val", out var val) => FirstName(val),
        JsonValueKind.Object when e.TryGetProperty("concat", out var c) && c.ValueKind == JsonValueKind.Array && c.GetArrayLength() > 0 => FirstName(c[0]),
        _ => null,
    };
}
