using System.Text.Json;

namespace MyDocker.Engine.Containers.Security;

/// <summary>
/// Reads a seccomp profile in Docker's JSON format (what `--security-opt seccomp=FILE` sends) and checks it before the
/// container is recorded, so runc never fails on it at start: unknown fields, actions, operators, architectures and
/// flags are refused by name. Syscall names unknown to this host's libseccomp are not an error: runc skips them, as
/// it does for Docker's own profile (which names syscalls newer than libseccomp 2.5.4).
/// </summary>
public static class SeccompProfileReader
{
    /// <summary>runc 1.1's actions (libcontainer/seccomp/config.go). SCMP_ACT_NOTIFY needs a seccomp agent listening on
    /// listenerPath, which MyDocker does not run.</summary>
    private static readonly string[] Actions =
        ["SCMP_ACT_KILL", "SCMP_ACT_KILL_PROCESS", "SCMP_ACT_KILL_THREAD", "SCMP_ACT_TRAP", "SCMP_ACT_ERRNO", "SCMP_ACT_TRACE", "SCMP_ACT_ALLOW", "SCMP_ACT_LOG"];

    private static readonly string[] Operators =
        ["SCMP_CMP_NE", "SCMP_CMP_LT", "SCMP_CMP_LE", "SCMP_CMP_EQ", "SCMP_CMP_GE", "SCMP_CMP_GT", "SCMP_CMP_MASKED_EQ"];

    /// <summary>runc 1.1's architectures (libcontainer/seccomp/config.go archs).</summary>
    private static readonly string[] Architectures =
    [
        "SCMP_ARCH_X86", "SCMP_ARCH_X86_64", "SCMP_ARCH_X32", "SCMP_ARCH_ARM", "SCMP_ARCH_AARCH64", "SCMP_ARCH_MIPS",
        "SCMP_ARCH_MIPS64", "SCMP_ARCH_MIPS64N32", "SCMP_ARCH_MIPSEL", "SCMP_ARCH_MIPSEL64", "SCMP_ARCH_MIPSEL64N32",
        "SCMP_ARCH_PPC", "SCMP_ARCH_PPC64", "SCMP_ARCH_PPC64LE", "SCMP_ARCH_S390", "SCMP_ARCH_S390X", "SCMP_ARCH_RISCV64",
        "SCMP_ARCH_LOONGARCH64",
    ];

    private static readonly string[] Flags = ["SECCOMP_FILTER_FLAG_LOG", "SECCOMP_FILTER_FLAG_SPEC_ALLOW"];

    public static SeccompProfile Parse(string json)
    {
        JsonDocument doc;
        try { doc = JsonDocument.Parse(json); }
        catch (JsonException e) { throw Invalid($"the profile is not JSON ({e.Message})"); }
        using (doc)
        {
            var root = doc.RootElement;
            Expect(root, JsonValueKind.Object, "the profile");
            Only(root, "the profile", "defaultAction", "defaultErrnoRet", "architectures", "archMap", "flags", "syscalls", "listenerPath", "listenerMetadata");
            if (root.TryGetProperty("listenerPath", out var listener) && listener.ValueKind != JsonValueKind.Null && listener.GetString() is { Length: > 0 })
                throw Invalid("the profile sets listenerPath: MyDocker runs no seccomp agent (SCMP_ACT_NOTIFY); remove it");
            string defaultAction = Action(Str(root, "defaultAction", "the profile") ?? throw Invalid("the profile has no defaultAction; give one such as SCMP_ACT_ERRNO"), "defaultAction");
            var architectures = Strings(root, "architectures", "the profile");
            foreach (var a in architectures) Arch(a, "architectures");
            var archMap = new List<SeccompArchMap>();
            foreach (var (entry, i) in Items(root, "archMap", "the profile"))
            {
                string where = $"archMap[{i}]";
                Only(entry, where, "architecture", "subArchitectures");
                archMap.Add(new SeccompArchMap(Arch(Str(entry, "architecture", where) ?? throw Invalid($"{where} has no architecture"), where),
                    [.. Strings(entry, "subArchitectures", where).Select(s => Arch(s, where))]));
            }
            if (architectures.Count > 0 && archMap.Count > 0) throw Invalid("the profile gives both architectures and archMap; keep one");
            var flags = Strings(root, "flags", "the profile");
            foreach (var f in flags.Where(f => !Flags.Contains(f)))
                throw Invalid($"the profile's flag '{f}' is not supported by runc 1.1; use {string.Join(" or ", Flags)}");
            var rules = new List<SeccompRule>();
            foreach (var (entry, i) in Items(root, "syscalls", "the profile")) rules.Add(Rule(entry, $"syscalls[{i}]"));
            return new SeccompProfile(defaultAction, UInt(root, "defaultErrnoRet", "the profile"), architectures, archMap, flags, rules);
        }
    }

    private static SeccompRule Rule(JsonElement e, string where)
    {
        Only(e, where, "names", "name", "action", "errnoRet", "args", "comment", "includes", "excludes");
        var names = Strings(e, "names", where);
        if (Str(e, "name", where) is { } single)
        {
            if (names.Count > 0) throw Invalid($"{where} gives both name and names; keep one");
            names = [single];
        }
        if (names.Count == 0) throw Invalid($"{where} names no syscall");
        foreach (var n in names.Where(n => n.Length == 0 || !n.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '_')))
            throw Invalid($"{where}: '{n}' is not a syscall name");
        string action = Action(Str(e, "action", where) ?? throw Invalid($"{where} has no action"), where + ".action");
        uint? errno = UInt(e, "errnoRet", where);
        if (errno is not null && action is not ("SCMP_ACT_ERRNO" or "SCMP_ACT_TRACE"))
            throw Invalid($"{where} sets errnoRet with {action}; errnoRet goes with SCMP_ACT_ERRNO or SCMP_ACT_TRACE");
        var args = new List<SeccompArg>();
        foreach (var (a, j) in Items(e, "args", where))
        {
            string at = $"{where}.args[{j}]";
            Only(a, at, "index", "value", "valueTwo", "op");
            uint index = UInt(a, "index", at) ?? 0;
            if (index > 5) throw Invalid($"{at}: index {index} is out of range; a syscall has arguments 0 to 5");
            string op = Str(a, "op", at) ?? throw Invalid($"{at} has no op");
            if (!Operators.Contains(op)) throw Invalid($"{at}: op '{op}' is unknown; use one of {string.Join(", ", Operators)}");
            args.Add(new SeccompArg(index, ULong(a, "value", at), ULong(a, "valueTwo", at), op));
        }
        return new SeccompRule(names, action, errno, args, Filter(e, "includes", where), Filter(e, "excludes", where));
    }

    private static SeccompFilter? Filter(JsonElement e, string name, string where)
    {
        if (!e.TryGetProperty(name, out var f) || f.ValueKind == JsonValueKind.Null) return null;
        string at = $"{where}.{name}";
        Expect(f, JsonValueKind.Object, at);
        Only(f, at, "caps", "arches", "minKernel");
        Version? minKernel = null;
        if (Str(f, "minKernel", at) is { } k)
            minKernel = Version.TryParse(k.Contains('.') ? k : k + ".0", out var v) && v.Build < 0
                ? v : throw Invalid($"{at}.minKernel '{k}' is not MAJOR.MINOR such as 4.8");
        return new SeccompFilter([.. Strings(f, "caps", at).Select(Capabilities.Normalize)], Strings(f, "arches", at), minKernel);
    }

    private static string Action(string action, string where) => Actions.Contains(action) ? action
        : action == "SCMP_ACT_NOTIFY" ? throw Invalid($"{where}: SCMP_ACT_NOTIFY needs a seccomp agent, which MyDocker does not run")
        : throw Invalid($"{where}: action '{action}' is unknown; use one of {string.Join(", ", Actions)}");

    private static string Arch(string arch, string where) => Architectures.Contains(arch) ? arch
        : throw Invalid($"{where}: architecture '{arch}' is unknown; use names such as SCMP_ARCH_X86_64");

    private static void Only(JsonElement e, string where, params string[] allowed)
    {
        foreach (var p in e.EnumerateObject())
            if (!allowed.Contains(p.Name)) throw Invalid($"{where}: field '{p.Name}' is not part of a seccomp profile (fields: {string.Join(", ", allowed)})");
    }

    private static void Expect(JsonElement e, JsonValueKind kind, string where)
    {
        if (e.ValueKind != kind) throw Invalid($"{where} must be a JSON {kind.ToString().ToLowerInvariant()}, not {e.ValueKind.ToString().ToLowerInvariant()}");
    }

    private static string? Str(JsonElement e, string name, string where)
    {
        if (!e.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null) return null;
        Expect(v, JsonValueKind.String, $"{where}.{name}");
        return v.GetString();
    }

    private static uint? UInt(JsonElement e, string name, string where)
    {
        if (!e.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null) return null;
        return v.ValueKind == JsonValueKind.Number && v.TryGetUInt32(out uint n) ? n : throw Invalid($"{where}.{name} must be a whole number 0 or more");
    }

    private static ulong ULong(JsonElement e, string name, string where)
    {
        if (!e.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null) return 0;
        return v.ValueKind == JsonValueKind.Number && v.TryGetUInt64(out ulong n) ? n : throw Invalid($"{where}.{name} must be a whole number 0 or more");
    }

    private static List<string> Strings(JsonElement e, string name, string where) =>
        [.. Items(e, name, where).Select(x => x.Item.ValueKind == JsonValueKind.String ? x.Item.GetString()! : throw Invalid($"{where}.{name}[{x.Index}] must be a string"))];

    private static IEnumerable<(JsonElement Item, int Index)> Items(JsonElement e, string name, string where)
    {
        if (!e.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null) return [];
        Expect(v, JsonValueKind.Array, $"{where}.{name}");
        return v.EnumerateArray().Select((item, i) => (item, i)).ToList();
    }

    private static EngineException Invalid(string problem) => EngineException.Invalid($"--security-opt seccomp: {problem}");
}
