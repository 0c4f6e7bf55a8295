using System.Text;
using System.Text.Json.Nodes;
using MyDocker.Engine.Kernel.Nftables;

namespace MyDocker.UnitTests.Fakes;

/// <summary>
/// The kernel's side of the engine's nftables table, in memory (the knftables.Fake idea): the batches
/// <c>NftRuleset</c> writes are applied to a model of the table, all or nothing as nf_tables commits them, with the
/// kernel's refusals (ENOENT for a missing table, set, chain or element, EEXIST for a map key held with another value,
/// EBUSY for a chain a verdict element still jumps to); the listings the engine reads (<c>list tables</c>,
/// <c>list table</c> as JSON or terse text) are generated from the model. <see cref="Dump"/> prints the table's state.
/// <para>Only the command shapes the engine sends are understood; anything else is refused with "syntax error", so a
/// new shape shows up as a failing test rather than as a silently ignored command. Not thread-safe: the executor locks.</para>
/// </summary>
public sealed class FakeNftTable
{
    private const string Qualified = "ip mydocker";

    private sealed class Chain
    {
        public string? Hook;
        public List<string> Rules = [];
        public Chain Clone() => new() { Hook = Hook, Rules = [.. Rules] };
    }

    private sealed class Model
    {
        public string? Comment;
        // Set or map name → (is a map, key → element text in nft's syntax). Insertion order kept, as nft lists them.
        public List<(string Name, bool IsMap, string Type, SortedDictionary<string, string> Elements)> Sets = [];
        public List<(string Name, Chain Chain)> Chains = [];

        public Model Clone() => new()
        {
            Comment = Comment,
            Sets = [.. Sets.Select(s => (s.Name, s.IsMap, s.Type, new SortedDictionary<string, string>(s.Elements, StringComparer.Ordinal)))],
            Chains = [.. Chains.Select(c => (c.Name, c.Chain.Clone()))],
        };
    }

    private Model? _table;

    /// <summary>Whether the table exists.</summary>
    public bool Exists => _table is not null;

    /// <summary>Deletes the table behind the engine's back (`nft flush ruleset`).</summary>
    public void Flush() => _table = null;

    /// <summary>Runs a command as libnftables would; returns its output or throws <see cref="NftException"/> with nothing changed.</summary>
    public string Run(string commands, bool json, bool terse)
    {
        switch (commands.Trim())
        {
            case "list tables ip":
                return Json(_table is null ? [] : [new JsonObject { ["table"] = new JsonObject { ["family"] = "ip", ["name"] = "mydocker", ["handle"] = 1 } }]);
            case "list table ip mydocker":
                if (_table is null) throw Refused(commands, "No such file or directory");
                return json ? ListJson(_table) : ListText(_table, terse);
        }
        var work = _table?.Clone();
        var lines = commands.Split('\n');
        for (int i = 0; i < lines.Length; i++)
        {
            string line = lines[i].Trim();
            if (line.Length == 0) continue;
            if (line == $"table {Qualified} {{") { work ??= new Model(); i = Block(work, lines, i + 1, commands); continue; }
            var words = line.Split(' ');
            string Rest(int from) => string.Join(' ', words.Skip(from));
            switch (words)
            {
                case ["add", "table", "ip", "mydocker"]: work ??= new Model(); break;
                case ["delete", "table", "ip", "mydocker"]: work = work is null ? throw Refused(commands, "No such file or directory") : null; break;
                case ["add", "chain", "ip", "mydocker", var name, ..]:
                    var table = work ?? throw Refused(commands, "No such file or directory");
                    if (FindChain(table, name) is null)
                        table.Chains.Add((name, new Chain { Hook = words.Length > 5 ? Rest(5).Trim('{', '}', ' ') : null }));
                    break;
                case ["flush", "chain", "ip", "mydocker", var name]:
                    (FindChain(work, name) ?? throw Refused(commands, "No such file or directory")).Rules.Clear();
                    break;
                case ["delete", "chain", "ip", "mydocker", var name]:
                    if (FindChain(work, name) is null) throw Refused(commands, "No such file or directory");
                    if (work!.Sets.Any(s => s.Elements.Values.Any(e => e.EndsWith($": jump {name}", StringComparison.Ordinal))))
                        throw Refused(commands, "Device or resource busy");
                    work.Chains.RemoveAll(c => c.Name == name);
                    break;
                case ["add", "rule", "ip", "mydocker", var chain, ..]:
                    (FindChain(work, chain) ?? throw Refused(commands, "No such file or directory")).Rules.Add(Rest(5));
                    break;
                case ["add" or "delete", "element", "ip", "mydocker", var set, "{", .., "}"]:
                    var s = (work?.Sets.FirstOrDefault(x => x.Name == set) is { Name: not null } found) ? found : throw Refused(commands, "No such file or directory");
                    string element = string.Join(' ', words[6..^1]);
                    string key = s.IsMap ? element.Split(" : ")[0] : element;
                    if (words[0] == "add")
                    {
                        if (element.Split(" : jump ") is [_, var target] && FindChain(work, target) is null) throw Refused(commands, "No such file or directory");
                        if (s.IsMap && s.Elements.TryGetValue(key, out var held) && held != element) throw Refused(commands, "File exists");
                        if (s.IsMap && element == key) throw Refused(commands, "syntax error");
                        s.Elements[key] = element;
                    }
                    else if (!s.Elements.Remove(key)) throw Refused(commands, "No such file or directory");
                    break;
                default:
                    throw Refused(commands, $"syntax error, unexpected {line}");
            }
        }
        _table = work;
        return "";
    }

    /// <summary>The body of "table ip mydocker { ... }" from line <paramref name="i"/>; returns the index of its closing line.</summary>
    private static int Block(Model t, string[] lines, int i, string commands)
    {
        for (; i < lines.Length; i++)
        {
            string line = lines[i].Trim();
            if (line == "}") return i;
            if (line.StartsWith("comment ", StringComparison.Ordinal)) { t.Comment = line[8..].Trim('"'); continue; }
            var words = line.Split(' ');
            if (words is ["set" or "map", var name, "{"])
            {
                string type = "";
                var elements = new SortedDictionary<string, string>(StringComparer.Ordinal);
                for (i++; lines[i].Trim() != "}"; i++)
                {
                    string inner = lines[i].Trim();
                    if (inner.StartsWith("type ", StringComparison.Ordinal)) type = inner[5..];
                    else if (inner.StartsWith("elements = { ", StringComparison.Ordinal) && inner.EndsWith(" }", StringComparison.Ordinal))
                        foreach (var e in inner[13..^2].Split(", "))
                            elements[words[0] == "map" ? e.Split(" : ")[0] : e] = e;
                    else throw Refused(commands, $"syntax error, unexpected {inner}");
                }
                if (!t.Sets.Any(s => s.Name == name)) t.Sets.Add((name, words[0] == "map", type, elements));
                continue;
            }
            if (words is ["chain", var chainName, "{"])
            {
                var chain = new Chain();
                for (i++; lines[i].Trim() != "}"; i++)
                {
                    string inner = lines[i].Trim();
                    if (inner.StartsWith("type ", StringComparison.Ordinal)) chain.Hook = inner;
                    else chain.Rules.Add(inner);
                }
                t.Chains.RemoveAll(c => c.Name == chainName);
                t.Chains.Add((chainName, chain));
                continue;
            }
            throw Refused(commands, $"syntax error, unexpected {line}");
        }
        throw Refused(commands, "syntax error, unexpected end of file");
    }

    /// <summary>
    /// The table's state: each set and map with its elements, each chain with its rules (a base chain with its hook),
    /// by name, so two ways of reaching one state print the same. Empty when there is no table.
    /// </summary>
    public string Dump()
    {
        if (_table is null) return "";
        var b = new StringBuilder("table ip mydocker\n");
        foreach (var s in _table.Sets.OrderBy(s => s.Name, StringComparer.Ordinal))
            b.Append($"  {(s.IsMap ? "map" : "set")} {s.Name}: {string.Join(", ", s.Elements.Values)}".TrimEnd()).Append('\n');
        foreach (var (name, chain) in _table.Chains.OrderBy(c => c.Name, StringComparer.Ordinal))
        {
            string hook = chain.Hook is null ? "" : $" ({chain.Hook.Split(';')[0][5..]})";
            b.Append($"  chain {name}{hook}: {string.Join("; ", chain.Rules)}".TrimEnd()).Append('\n');
        }
        return b.ToString();
    }

    private static Chain? FindChain(Model? t, string name) => t?.Chains.FirstOrDefault(c => c.Name == name).Chain;

    private static NftException Refused(string commands, string why) =>
        new($"Error: Could not process rule: {why}", commands);

    private static string Json(IEnumerable<JsonNode> items)
    {
        var all = new JsonArray(new JsonObject { ["metainfo"] = new JsonObject { ["version"] = "1.0.6", ["json_schema_version"] = 1 } });
        foreach (var item in items) all.Add(item);
        return new JsonObject { ["nftables"] = all }.ToJsonString();
    }

    /// <summary>libnftables-json(5) as nft 1.0.6 prints our table.</summary>
    private static string ListJson(Model t)
    {
        var items = new List<JsonNode> { new JsonObject { ["table"] = new JsonObject { ["family"] = "ip", ["name"] = "mydocker", ["handle"] = 1 } } };
        foreach (var s in t.Sets)
        {
            var o = new JsonObject { ["family"] = "ip", ["name"] = s.Name, ["table"] = "mydocker", ["type"] = s.Type };
            if (s.Elements.Count > 0) o["elem"] = new JsonArray([.. s.Elements.Values.Select(e => ElementJson(s.IsMap, e))]);
            items.Add(new JsonObject { [s.IsMap ? "map" : "set"] = o });
        }
        foreach (var (name, _) in t.Chains) items.Add(new JsonObject { ["chain"] = new JsonObject { ["family"] = "ip", ["table"] = "mydocker", ["name"] = name } });
        foreach (var (name, chain) in t.Chains)
            foreach (var rule in chain.Rules)
                items.Add(new JsonObject { ["rule"] = new JsonObject { ["family"] = "ip", ["table"] = "mydocker", ["chain"] = name, ["expr"] = rule } });
        return Json(items);
    }

    /// <summary>An element as JSON: a name, a concatenation, or [key, value] for a map (a verdict as {"jump": ...}).</summary>
    private static JsonNode? ElementJson(bool isMap, string element)
    {
        if (!isMap) return Concat(element);
        var parts = element.Split(" : ");
        JsonNode? value = parts[1].StartsWith("jump ", StringComparison.Ordinal)
            ? new JsonObject { ["jump"] = new JsonObject { ["target"] = parts[1][5..] } }
            : Concat(parts[1]);
        return new JsonArray(Concat(parts[0]), value);
    }

    private static JsonNode? Concat(string text)
    {
        var parts = text.Split(" . ").Select(p => p.Trim('"')).Select(p => int.TryParse(p, out int n) ? (JsonNode)n : p).ToArray();
        return parts.Length == 1 ? parts[0] : new JsonObject { ["concat"] = new JsonArray(parts) };
    }

    /// <summary>`nft list table` text; terse leaves out the elements, as nft -t does.</summary>
    private static string ListText(Model t, bool terse)
    {
        var b = new StringBuilder("table ip mydocker {\n");
        if (t.Comment is not null) b.Append($"\tcomment \"{t.Comment}\"\n");
        foreach (var s in t.Sets)
        {
            b.Append($"\t{(s.IsMap ? "map" : "set")} {s.Name} {{\n\t\ttype {s.Type}\n");
            if (!terse && s.Elements.Count > 0) b.Append($"\t\telements = {{ {string.Join(", ", s.Elements.Values)} }}\n");
            b.Append("\t}\n\n");
        }
        foreach (var (name, chain) in t.Chains)
        {
            b.Append($"\tchain {name} {{\n");
            if (chain.Hook is not null) b.Append($"\t\t{chain.Hook}\n");
            foreach (var r in chain.Rules) b.Append($"\t\t{r}\n");
            b.Append("\t}\n\n");
        }
        return b.Append("}\n").ToString();
    }
}
