namespace MyDocker.Engine.Containers.Security;

/// <summary>
/// `--security-opt` values (API HostConfig.SecurityOpt) as the Docker daemon reads them (moby daemon/create.go
/// parseSecurityOpt): "seccomp=unconfined", "seccomp=builtin", "seccomp=PROFILE-JSON" (the docker CLI reads a profile
/// file and sends its JSON), "no-new-privileges" and "no-new-privileges=true|false"; ':' is Docker's old separator.
/// Everything else (apparmor, label, systempaths…) is refused by name: MyDocker applies no LSM.
/// </summary>
/// <param name="Seccomp"><see cref="SeccompProfiles.Builtin"/>, <see cref="SeccompProfiles.Unconfined"/> or a profile's JSON.</param>
public sealed record SecurityOptions(string Seccomp, bool NoNewPrivileges)
{
    public static readonly SecurityOptions Default = new(SeccompProfiles.Builtin, NoNewPrivileges: false);

    public static SecurityOptions Parse(IEnumerable<string> options)
    {
        var result = Default;
        foreach (var option in options)
        {
            if (option == "no-new-privileges") { result = result with { NoNewPrivileges = true }; continue; }
            int eq = option.IndexOf('='), colon = option.IndexOf(':');
            int cut = eq >= 0 ? eq : colon;
            if (cut <= 0)
                throw EngineException.Invalid($"--security-opt '{Shorten(option)}' is not KEY=VALUE; use seccomp=unconfined, seccomp=PROFILE.json or no-new-privileges");
            string key = option[..cut], value = option[(cut + 1)..];
            result = key switch
            {
                "seccomp" when value.Length == 0 =>
                    throw EngineException.Invalid("--security-opt seccomp= needs a value: unconfined, builtin or a profile file"),
                "seccomp" => result with { Seccomp = value },
                "no-new-privileges" => result with { NoNewPrivileges = ParseBool(value) },
                "apparmor" or "label" =>
                    throw EngineException.Invalid($"--security-opt {key}: MyDocker applies no AppArmor or SELinux profile (its confinement is capabilities, seccomp and masked paths); leave {key}= out"),
                _ => throw EngineException.Invalid($"--security-opt '{Shorten(key)}' is not supported; MyDocker supports seccomp=… and no-new-privileges"),
            };
        }
        return result;
    }

    private static bool ParseBool(string value) => value.ToLowerInvariant() switch
    {
        "true" or "1" or "t" => true,
        "false" or "0" or "f" => false,
        _ => throw EngineException.Invalid($"--security-opt no-new-privileges='{Shorten(value)}' is not a boolean; use true or false"),
    };

    private static string Shorten(string s) => s.Length <= 60 ? s : s[..60] + "…";
}
