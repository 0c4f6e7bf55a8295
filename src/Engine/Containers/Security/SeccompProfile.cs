using System.Runtime.InteropServices;
using System.Text.Json.Nodes;

namespace MyDocker.Engine.Containers.Security;

/// <summary>
/// A seccomp profile in Docker's format (moby profiles/seccomp/seccomp.go): an OCI <c>linux.seccomp</c> whose rules may
/// carry conditions on the container's capabilities, the architecture and the kernel version, and whose architectures
/// may be given per native architecture (<c>archMap</c>). <see cref="Compile"/> evaluates the conditions for one
/// container, as moby's setupSeccomp does, and yields the plain OCI object runc reads. Read one from JSON with
/// <see cref="SeccompProfileReader"/>; MyDocker's own is <see cref="DefaultSeccompProfile"/>.
/// </summary>
public sealed record SeccompProfile(
    string DefaultAction,
    uint? DefaultErrnoRet,
    IReadOnlyList<string> Architectures,
    IReadOnlyList<SeccompArchMap> ArchMap,
    IReadOnlyList<string> Flags,
    IReadOnlyList<SeccompRule> Syscalls)
{
    /// <summary>The OCI <c>linux.seccomp</c> object for a container with capabilities <paramref name="capabilities"/>
    /// (its bounding set), on <paramref name="arch"/>, under kernel <paramref name="kernel"/>.</summary>
    public JsonObject Compile(IReadOnlyCollection<string> capabilities, SeccompArch arch, Version kernel)
    {
        var arches = Architectures.Count > 0
            ? Architectures
            : ArchMap.Where(a => a.Architecture == arch.Scmp).SelectMany(a => a.SubArchitectures.Prepend(a.Architecture)).ToList();
        var syscalls = new JsonArray();
        foreach (var rule in Syscalls.Where(r => r.AppliesTo(capabilities, arch, kernel)))
            syscalls.Add(rule.ToOci());
        var oci = new JsonObject { ["defaultAction"] = DefaultAction };
        if (DefaultErrnoRet is { } errno) oci["defaultErrnoRet"] = errno;
        oci["architectures"] = new JsonArray([.. arches.Select(a => (JsonNode)JsonValue.Create(a))]);
        if (Flags.Count > 0) oci["flags"] = new JsonArray([.. Flags.Select(f => (JsonNode)JsonValue.Create(f))]);
        oci["syscalls"] = syscalls;
        return oci;
    }
}

/// <summary>The architectures a filter covers when the host's native one is <see cref="Architecture"/>.</summary>
public sealed record SeccompArchMap(string Architecture, IReadOnlyList<string> SubArchitectures);

/// <summary>
/// One rule: what happens to the calls <see cref="Names"/> (whose arguments match every one of <see cref="Args"/>).
/// It applies when every condition of <see cref="Includes"/> holds and none of <see cref="Excludes"/> does.
/// </summary>
public sealed record SeccompRule(
    IReadOnlyList<string> Names,
    string Action,
    uint? ErrnoRet = null,
    IReadOnlyList<SeccompArg>? Args = null,
    SeccompFilter? Includes = null,
    SeccompFilter? Excludes = null)
{
    /// <summary>moby seccomp_linux.go setupSeccomp: an exclude on caps matches when the container holds any of them,
    /// an include when it holds all of them.</summary>
    public bool AppliesTo(IReadOnlyCollection<string> capabilities, SeccompArch arch, Version kernel)
    {
        if (Excludes is { } ex)
        {
            if (ex.Arches is { Count: > 0 } a && a.Contains(arch.Go)) return false;
            if (ex.Caps is { Count: > 0 } c && c.Any(capabilities.Contains)) return false;
            if (ex.MinKernel is { } k && kernel >= k) return false;
        }
        if (Includes is { } inc)
        {
            if (inc.Arches is { Count: > 0 } a && !a.Contains(arch.Go)) return false;
            if (inc.Caps is { Count: > 0 } c && !c.All(capabilities.Contains)) return false;
            if (inc.MinKernel is { } k && kernel < k) return false;
        }
        return true;
    }

    public JsonObject ToOci()
    {
        var rule = new JsonObject
        {
            ["names"] = new JsonArray([.. Names.Select(n => (JsonNode)JsonValue.Create(n))]),
            ["action"] = Action,
        };
        if (ErrnoRet is { } errno) rule["errnoRet"] = errno;
        if (Args is { Count: > 0 })
            rule["args"] = new JsonArray([.. Args.Select(a => (JsonNode)new JsonObject
            {
                ["index"] = a.Index, ["value"] = a.Value, ["valueTwo"] = a.ValueTwo, ["op"] = a.Op,
            })]);
        return rule;
    }
}

/// <summary>Conditions of a rule. <see cref="Arches"/> are Go's names (amd64, arm64), as in Docker's profiles.</summary>
public sealed record SeccompFilter(IReadOnlyList<string>? Caps = null, IReadOnlyList<string>? Arches = null, Version? MinKernel = null);

/// <summary>A comparison of argument <see cref="Index"/> (0-5); SCMP_CMP_MASKED_EQ compares (arg &amp; Value) with ValueTwo.</summary>
public sealed record SeccompArg(uint Index, ulong Value, ulong ValueTwo, string Op);

/// <summary>The native architecture by its libseccomp name and its Go name (which Docker's rule conditions use).</summary>
public sealed record SeccompArch(string Scmp, string Go)
{
    public static readonly SeccompArch X86_64 = new("SCMP_ARCH_X86_64", "amd64");
    public static readonly SeccompArch Aarch64 = new("SCMP_ARCH_AARCH64", "arm64");

    public static SeccompArch Native => RuntimeInformation.OSArchitecture switch
    {
        Architecture.X64 => X86_64,
        Architecture.Arm64 => Aarch64,
        var other => throw new PlatformNotSupportedException($"no seccomp architecture for {other}"),
    };
}

/// <summary>The values of `--security-opt seccomp=` that name no file (moby's SeccompProfileDefault/Unconfined).</summary>
public static class SeccompProfiles
{
    public const string Builtin = "builtin", Unconfined = "unconfined";

    /// <summary>
    /// The OCI <c>linux.seccomp</c> for a container's setting (<see cref="SecurityOptions.Seccomp"/>) and capabilities:
    /// null when unconfined. A profile given as JSON is checked and refused here with a message naming the fault.
    /// </summary>
    public static JsonObject? For(string setting, IReadOnlyCollection<string> capabilities)
    {
        if (setting == Unconfined) return null;
        var profile = setting == Builtin ? DefaultSeccompProfile.Profile : SeccompProfileReader.Parse(setting);
        return profile.Compile(capabilities, SeccompArch.Native, KernelVersion());
    }

    /// <summary>The running kernel's major.minor (for rules with minKernel).</summary>
    public static Version KernelVersion() => new(Environment.OSVersion.Version.Major, Environment.OSVersion.Version.Minor);
}
