using System.Text.Json.Nodes;

namespace MyDocker.Engine.Containers.Security;

/// <summary>
/// What a container may do, from its `--security-opt`, `--cap-add` and `--cap-drop`: its capabilities, its seccomp
/// filter (compiled for those capabilities, as Docker evaluates its profile's conditions) and no-new-privileges.
/// </summary>
/// <param name="Seccomp">The OCI <c>linux.seccomp</c> object; null for `seccomp=unconfined`.</param>
public sealed record Confinement(IReadOnlyList<string> Capabilities, JsonObject? Seccomp, bool NoNewPrivileges)
{
    /// <summary>Checks the options and works out the confinement; refuses a bad option by name (InvalidArgument).</summary>
    /// <param name="available">The capabilities the daemon can hand on (<see cref="Security.Capabilities.OfThisProcess"/>).</param>
    public static Confinement Of(IEnumerable<string> securityOpt, IEnumerable<string> capAdd, IEnumerable<string> capDrop, IReadOnlySet<string> available)
    {
        var options = SecurityOptions.Parse(securityOpt);
        var capabilities = Security.Capabilities.Resolve(capAdd, capDrop, available);
        return new Confinement(capabilities, SeccompProfiles.For(options.Seccomp, capabilities), options.NoNewPrivileges);
    }
}
