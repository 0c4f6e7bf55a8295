using System.Text.Json;
using System.Text.Json.Nodes;

namespace MyDocker.Engine.Containers.Runtime;

/// <summary>
/// The OCI process an `exec` runs, for `runc exec --process FILE`: the container's own process from its config.json
/// (capabilities, rlimits, no_new_privileges and whatever else the container runs with) with the exec's args, env,
/// working directory and user. A whole process is written because runc 1.1's command-line flags cannot express an exec
/// user's groups: without --process runc copies config.json's process, whose additionalGids are the container user's,
/// and --additional-gids only appends to them (runc exec.go, getProcess). Docker computes the exec user's own groups
/// the same way (moby daemon/exec_linux.go, execSetPlatformOpt). Pure; unit-tested.
/// </summary>
public static class ExecProcessSpec
{
    /// <param name="configJson">The container's config.json.</param>
    public static string Build(string configJson, ExecRequest request)
    {
        var config = JsonNode.Parse(configJson)?.AsObject()
                     ?? throw new EngineException(ErrorKind.Internal, "the container's config.json is empty");
        var process = config["process"]?.DeepClone().AsObject()
                      ?? throw new EngineException(ErrorKind.Internal, "the container's config.json has no process");
        process["terminal"] = false;
        process.Remove("consoleSize");
        process["args"] = Strings(request.Args);
        // Docker's exec environment: the container's, with the exec's -e replacing variables of the same name.
        var env = process["env"]?.AsArray().Select(e => e?.GetValue<string>() ?? "").ToList() ?? [];
        process["env"] = Strings(ContainerPlanner.Environment(env, request.Env));
        if (!string.IsNullOrEmpty(request.WorkingDir)) process["cwd"] = request.WorkingDir;
        if (request.User is { } user)
        {
            // Other fields of the container's user (umask) stay.
            var u = process["user"] as JsonObject ?? [];
            u["uid"] = user.Uid;
            u["gid"] = user.Gid;
            // Exactly these, possibly none: never the container user's groups.
            u["additionalGids"] = new JsonArray([.. user.AdditionalGids.Select(g => (JsonNode)JsonValue.Create(g))]);
            u.Remove("username");
            process["user"] = u;
        }
        return process.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n";
    }

    private static JsonArray Strings(IEnumerable<string> values) => new([.. values.Select(v => (JsonNode)JsonValue.Create(v))]);
}
