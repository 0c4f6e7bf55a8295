using System.Text.Json;

namespace MyDocker.Engine.Images;

/// <summary>
/// Checks the types of an image config blob at load, as Docker's json.Unmarshal into typed structs does (moby
/// image.Image and api/types/container.Config): a config that does not fit is refused then, instead of being stored and
/// breaking every later read of the store (audit M6: "Cmd":[1] made `images`, `rmi` and the dashboard answer 500).
/// Unknown fields are ignored and null is accepted anywhere, as Go's decoder does. Cmd, Entrypoint and Shell may be
/// one string (Docker's StrSlice).
/// </summary>
internal static class ImageConfigSchema
{
    private enum Kind { String, Bool, Integer, StringList, StrSlice, StringMap, SetOfKeys, Object, ObjectList }

    /// <summary>Fields of the image config's top level (image.Image / V1Image) besides config, container_config and rootfs.</summary>
    private static readonly (string Name, Kind Kind)[] TopLevel =
    [
        ("id", Kind.String), ("parent", Kind.String), ("comment", Kind.String), ("created", Kind.String),
        ("container", Kind.String), ("docker_version", Kind.String), ("author", Kind.String), ("architecture", Kind.String),
        ("variant", Kind.String), ("os", Kind.String), ("os.version", Kind.String), ("size", Kind.Integer),
        ("history", Kind.ObjectList), ("os.features", Kind.StringList),
    ];

    /// <summary>Fields of container.Config, the "config" and "container_config" objects.</summary>
    private static readonly (string Name, Kind Kind)[] ContainerConfig =
    [
        ("Hostname", Kind.String), ("Domainname", Kind.String), ("User", Kind.String), ("AttachStdin", Kind.Bool),
        ("AttachStdout", Kind.Bool), ("AttachStderr", Kind.Bool), ("ExposedPorts", Kind.SetOfKeys), ("Tty", Kind.Bool),
        ("OpenStdin", Kind.Bool), ("StdinOnce", Kind.Bool), ("Env", Kind.StringList), ("Cmd", Kind.StrSlice),
        ("Healthcheck", Kind.Object), ("ArgsEscaped", Kind.Bool), ("Image", Kind.String), ("Volumes", Kind.SetOfKeys),
        ("WorkingDir", Kind.String), ("Entrypoint", Kind.StrSlice), ("NetworkDisabled", Kind.Bool), ("MacAddress", Kind.String),
        ("OnBuild", Kind.StringList), ("Labels", Kind.StringMap), ("StopSignal", Kind.String), ("StopTimeout", Kind.Integer),
        ("Shell", Kind.StrSlice),
    ];

    private static readonly (string Name, Kind Kind)[] Healthcheck =
    [
        ("Test", Kind.StrSlice), ("Interval", Kind.Integer), ("Timeout", Kind.Integer), ("StartPeriod", Kind.Integer),
        ("StartInterval", Kind.Integer), ("Retries", Kind.Integer),
    ];

    /// <summary>Refuses a config whose known fields have the wrong JSON type, naming the field.</summary>
    /// <exception cref="EngineException">InvalidArgument naming <paramref name="what"/> and the field.</exception>
    public static void Check(JsonElement config, string what)
    {
        if (config.ValueKind != JsonValueKind.Object) throw Wrong(what, "the config", "a JSON object");
        CheckFields(config, TopLevel, what, "");
        if (config.TryGetProperty("created", out var created) && created.ValueKind == JsonValueKind.String &&
            !DateTimeOffset.TryParse(created.GetString(), out _))
            throw EngineException.Invalid($"{what}: \"created\" is not a date and time (RFC 3339)");
        foreach (var name in new[] { "config", "container_config" })
        {
            if (!config.TryGetProperty(name, out var inner) || inner.ValueKind == JsonValueKind.Null) continue;
            if (inner.ValueKind != JsonValueKind.Object) throw Wrong(what, name, "an object");
            CheckFields(inner, ContainerConfig, what, name + ".");
            if (inner.TryGetProperty("Healthcheck", out var hc) && hc.ValueKind == JsonValueKind.Object)
                CheckFields(hc, Healthcheck, what, name + ".Healthcheck.");
        }
        if (config.TryGetProperty("rootfs", out var rootfs) && rootfs.ValueKind != JsonValueKind.Null)
        {
            if (rootfs.ValueKind != JsonValueKind.Object) throw Wrong(what, "rootfs", "an object");
            CheckFields(rootfs, [("type", Kind.String), ("diff_ids", Kind.StringList)], what, "rootfs.");
        }
    }

    private static void CheckFields(JsonElement obj, (string Name, Kind Kind)[] fields, string what, string prefix)
    {
        foreach (var (name, kind) in fields)
        {
            if (!obj.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null) continue;
            if (!Fits(v, kind)) throw Wrong(what, prefix + name, Describe(kind));
        }
    }

    private static bool Fits(JsonElement v, Kind kind) => kind switch
    {
        Kind.String => v.ValueKind == JsonValueKind.String,
        Kind.Bool => v.ValueKind is JsonValueKind.True or JsonValueKind.False,
        Kind.Integer => v.ValueKind == JsonValueKind.Number && v.TryGetInt64(out _),
        Kind.StringList => v.ValueKind == JsonValueKind.Array && v.EnumerateArray().All(e => e.ValueKind == JsonValueKind.String),
        Kind.StrSlice => v.ValueKind == JsonValueKind.String || Fits(v, Kind.StringList),
        Kind.StringMap => v.ValueKind == JsonValueKind.Object && v.EnumerateObject().All(p => p.Value.ValueKind == JsonValueKind.String),
        // map[string]struct{}: Go accepts any object (or null) as the empty struct.
        Kind.SetOfKeys => v.ValueKind == JsonValueKind.Object && v.EnumerateObject().All(p => p.Value.ValueKind is JsonValueKind.Object or JsonValueKind.Null),
        Kind.Object => v.ValueKind == JsonValueKind.Object,
        Kind.ObjectList => v.ValueKind == JsonValueKind.Array && v.EnumerateArray().All(e => e.ValueKind == JsonValueKind.Object),
        _ => false,
    };

    private static string Describe(Kind kind) => kind switch
    {
        Kind.String => "a string",
        Kind.Bool => "true or false",
        Kind.Integer => "an integer",
        Kind.StringList => "a list of strings",
        Kind.StrSlice => "a string or a list of strings",
        Kind.StringMap => "an object of string values",
        Kind.SetOfKeys => "an object whose values are {}",
        Kind.Object => "an object",
        _ => "a list of objects",
    };

    private static EngineException Wrong(string what, string field, string expected) =>
        EngineException.Invalid($"{what} is malformed: \"{field}\" must be {expected}. Nothing of the image was loaded; fix the config or save the image again");
}
