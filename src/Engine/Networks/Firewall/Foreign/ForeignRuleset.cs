using System.Text;
using System.Text.Json;

namespace MyDocker.Engine.Networks.Firewall.Foreign;

/// <summary>One chain of a <c>list ruleset</c>; <see cref="Hook"/> is null for a regular (non-base) chain.</summary>
internal sealed record ForeignChain(string Family, string Table, string Name, string? Type, string? Hook, int Priority, string? Policy)
{
    public bool IsBase => Hook is not null;
}

internal enum RuleVerdict { None, Accept, Drop, Reject, Jump, Goto, Return }

/// <summary>One interface match of a rule: <c>iifname "x"</c>, <c>oifname != { "a", "b*" }</c>, <c>iifname @set</c>.
/// <paramref name="Names"/> null means "cannot tell" (a set we could not read); '*' at the end is nft's wildcard.</summary>
internal sealed record InterfaceMatch(bool Negated, IReadOnlyList<string>? Names)
{
    public bool Matches(string ifname)
    {
        if (Names is null) return true; // best effort: an unknown set may hold it
        bool hit = Names.Any(n => n.EndsWith('*') ? ifname.StartsWith(n[..^1], StringComparison.Ordinal) : n == ifname);
        return Negated ? !hit : hit;
    }
}

/// <summary>What we need of one rule: its verdict, its interface matches and whether anything else conditions it.</summary>
internal sealed record ForeignRule(
    long Handle, RuleVerdict Verdict, string? Target,
    IReadOnlyList<InterfaceMatch> Input, IReadOnlyList<InterfaceMatch> Output,
    bool OtherConditions, bool CtInvalid, string Text);

/// <summary>
/// The whole ruleset as libnftables prints it in JSON (libnftables-json(5)): a top-level "nftables" array whose
/// items each have one key ("table", "chain", "rule", "set", ...). Rules come in chain order, which is the order
/// the kernel evaluates them. Rules written by iptables-nft appear too: plain matches (-i/-o) as "meta" matches,
/// extension matches and targets (-m conntrack, -m comment, -j REJECT) as opaque "xt" objects without their options.
/// </summary>
internal sealed class ForeignRuleset
{
    public List<ForeignChain> Chains { get; } = [];
    private readonly Dictionary<(string, string, string), List<ForeignRule>> _rules = [];
    private readonly Dictionary<(string, string, string), List<string>> _sets = [];

    public IReadOnlyList<ForeignRule> RulesOf(string family, string table, string chain) =>
        _rules.TryGetValue((family, table, chain), out var list) ? list : [];

    public ForeignChain? Chain(string family, string table, string name) =>
        Chains.FirstOrDefault(c => c.Family == family && c.Table == table && c.Name == name);

    public static ForeignRuleset Parse(string json)
    {
        using var doc = JsonDocument.Parse(json);
        if (!doc.RootElement.TryGetProperty("nftables", out var items) || items.ValueKind != JsonValueKind.Array)
            throw new FormatException("nft JSON output has no \"nftables\" array.");
        var r = new ForeignRuleset();
        var pendingRules = new List<JsonElement>();
        foreach (var item in items.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.Object) continue;
            foreach (var p in item.EnumerateObject())
            {
                var o = p.Value;
                switch (p.Name)
                {
                    case "chain":
                        r.Chains.Add(new ForeignChain(Str(o, "family"), Str(o, "table"), Str(o, "name"), OptStr(o, "type"), OptStr(o, "hook"),
                            o.TryGetProperty("prio", out var prio) && prio.ValueKind == JsonValueKind.Number ? prio.GetInt32() : 0,
                            OptStr(o, "policy")));
                        break;
                    case "set":
                        r._sets[(Str(o, "family"), Str(o, "table"), Str(o, "name"))] = SetNames(o);
                        break;
                    case "rule":
                        // Sets may be listed after the rules that use them in other tables: resolve lookups at the end.
                        pendingRules.Add(o.Clone());
                        break;
                }
            }
        }
        foreach (var o in pendingRules)
        {
            var key = (Str(o, "family"), Str(o, "table"), Str(o, "chain"));
            if (!r._rules.TryGetValue(key, out var list)) r._rules[key] = list = [];
            list.Add(r.ParseRule(key.Item1, key.Item2, o));
        }
        return r;
    }

    private ForeignRule ParseRule(string family, string table, JsonElement o)
    {
        long handle = o.TryGetProperty("handle", out var h) && h.ValueKind == JsonValueKind.Number ? h.GetInt64() : 0;
        var verdict = RuleVerdict.None;
        string? target = null;
        var input = new List<InterfaceMatch>();
        var output = new List<InterfaceMatch>();
        bool other = false, ctInvalid = false;
        var text = new List<string>();

        if (o.TryGetProperty("expr", out var exprs) && exprs.ValueKind == JsonValueKind.Array)
        {
            foreach (var stmt in exprs.EnumerateArray())
            {
                if (stmt.ValueKind != JsonValueKind.Object) continue;
                foreach (var s in stmt.EnumerateObject())
                {
                    var v = s.Value;
                    switch (s.Name)
                    {
                        case "match":
                            var left = v.TryGetProperty("left", out var l) ? l : default;
                            var right = v.TryGetProperty("right", out var rr) ? rr : default;
                            string op = OptStr(v, "op") ?? "==";
                            text.Add(DescribeMatch(left, op, right));
                            if (MetaKey(left) is "iifname" or "iif" or "oifname" or "oif")
                            {
                                var m = new InterfaceMatch(op == "!=", Names(family, table, right));
                                (MetaKey(left) is "iifname" or "iif" ? input : output).Add(m);
                            }
                            else if (IsCtStateInvalid(left, op, right)) ctInvalid = true;
                            else other = true;
                            break;
                        case "xt":
                            string xtName = OptStr(v, "name") ?? "?";
                            if (OptStr(v, "type") == "target")
                            {
                                // iptables-nft keeps -j REJECT as an xt target; the other xt targets (LOG, MARK, ...) do not decide.
                                if (xtName == "REJECT") verdict = RuleVerdict.Reject;
                                text.Add("-j " + xtName);
                            }
                            else
                            {
                                text.Add("-m " + xtName);
                                if (xtName != "comment") other = true; // the options (e.g. --ctstate) are not in the JSON
                            }
                            break;
                        case "counter" or "log" or "comment":
                            break;
                        case "accept": verdict = RuleVerdict.Accept; text.Add("accept"); break;
                        case "drop": verdict = RuleVerdict.Drop; text.Add("drop"); break;
                        case "reject": verdict = RuleVerdict.Reject; text.Add("reject"); break;
                        case "return": verdict = RuleVerdict.Return; text.Add("return"); break;
                        case "jump" or "goto":
                            verdict = s.Name == "jump" ? RuleVerdict.Jump : RuleVerdict.Goto;
                            target = v.ValueKind == JsonValueKind.Object ? OptStr(v, "target") : null;
                            text.Add($"{s.Name} {target}");
                            break;
                        default:
                            // limit, quota, set updates, nat statements, ...: not an interface match we understand.
                            other = true;
                            text.Add(s.Name);
                            break;
                    }
                }
            }
        }
        return new ForeignRule(handle, verdict, target, input, output, other, ctInvalid, string.Join(' ', text));
    }

    private static string? MetaKey(JsonElement left) =>
        left.ValueKind == JsonValueKind.Object && left.TryGetProperty("meta", out var meta) && meta.ValueKind == JsonValueKind.Object
            ? OptStr(meta, "key") : null;

    /// <summary><c>ct state invalid</c>: drops only packets conntrack could not place; never a flow of ours.</summary>
    private static bool IsCtStateInvalid(JsonElement left, string op, JsonElement right) =>
        op is "==" or "in"
        && left.ValueKind == JsonValueKind.Object && left.TryGetProperty("ct", out var ct) && OptStr(ct, "key") == "state"
        && (right.ValueKind == JsonValueKind.String ? right.GetString() == "invalid"
            : right.ValueKind == JsonValueKind.Array && right.GetArrayLength() == 1 && right[0].GetString() == "invalid");

    /// <summary>The names a right-hand side stands for: a string, an anonymous set, or a named set of the same table.</summary>
    private List<string>? Names(string family, string table, JsonElement right)
    {
        switch (right.ValueKind)
        {
            case JsonValueKind.String:
                var s = right.GetString()!;
                if (s.StartsWith('@')) return _sets.TryGetValue((family, table, s[1..]), out var named) ? named : null;
                return [s];
            case JsonValueKind.Object when right.TryGetProperty("set", out var set):
                return ElementNames(set);
            default:
                return null;
        }
    }

    private static List<string> SetNames(JsonElement set) =>
        set.TryGetProperty("elem", out var e) ? ElementNames(e) ?? [] : [];

    private static List<string>? ElementNames(JsonElement e)
    {
        var names = new List<string>();
        foreach (var x in e.ValueKind == JsonValueKind.Array ? e.EnumerateArray().ToArray() : [e])
        {
            if (x.ValueKind == JsonValueKind.String) names.Add(x.GetString()!);
            else if (x.ValueKind == JsonValueKind.Object && x.TryGetProperty("elem", out var inner)
                     && inner.TryGetProperty("val", out var val) && val.ValueKind == JsonValueKind.String)
                names.Add(val.GetString()!);
            else return null; // concatenations, ranges: not a plain name set
        }
        return names;
    }

    private static string DescribeMatch(JsonElement left, string op, JsonElement right)
    {
        var b = new StringBuilder(Describe(left));
        if (op is not ("==" or "in")) b.Append(' ').Append(op);
        b.Append(' ').Append(Describe(right));
        return b.ToString();
    }

    private static string Describe(JsonElement e)
    {
        switch (e.ValueKind)
        {
            case JsonValueKind.String:
                var s = e.GetString()!;
                return s.StartsWith('@') ? s : "\"" + s + "\"";
            case JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False:
                return e.GetRawText();
            case JsonValueKind.Array:
                return string.Join(',', e.EnumerateArray().Select(x => x.ValueKind == JsonValueKind.String ? x.GetString() : x.GetRawText()));
            case JsonValueKind.Object:
                if (e.TryGetProperty("meta", out var meta)) return OptStr(meta, "key") ?? "meta";
                if (e.TryGetProperty("payload", out var pl)) return $"{OptStr(pl, "protocol")} {OptStr(pl, "field")}".Trim();
                if (e.TryGetProperty("ct", out var ct)) return "ct " + OptStr(ct, "key");
                if (e.TryGetProperty("prefix", out var px)) return $"{Describe(px.GetProperty("addr")).Trim('"')}/{px.GetProperty("len")}";
                if (e.TryGetProperty("set", out var set))
                    return "{ " + string.Join(", ", (set.ValueKind == JsonValueKind.Array ? set.EnumerateArray().ToArray() : [set]).Select(Describe)) + " }";
                return e.GetRawText();
            default:
                return e.GetRawText();
        }
    }

    private static string Str(JsonElement o, string key) => OptStr(o, key) ?? "";

    private static string? OptStr(JsonElement o, string key) =>
        o.ValueKind == JsonValueKind.Object && o.TryGetProperty(key, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
}
