using System.Globalization;
using System.Text.Json;
using MyDocker.Engine;
using MyDocker.Engine.Containers;
using MyDocker.Engine.Containers.Logs;
using MyDocker.Shared.Api;

namespace MyDocker.Web.Api;

/// <summary>Between Docker's container shapes and the engine's.</summary>
public static partial class ContainerMapping
{
    public static ContainerCreateSpec ToSpec(string? name, ContainerCreateRequest body, Version? apiVersion = null)
    {
        var host = body.HostConfig ?? new HostConfig();
        if (host.RestartPolicy?.Name is { Length: > 0 } policy && policy != "no")
            throw EngineException.Invalid($"restart policy '{policy}' is not supported yet; leave --restart out");
        var (first, more) = NetworksOf(host.NetworkMode, body.NetworkingConfig?.EndpointsConfig, apiVersion ?? Version.Parse(ApiVersioning.MaxVersion));
        if (host.MemorySwap > 0 && host.MemorySwap != host.Memory)
            throw EngineException.Invalid("--memory-swap is not supported: a container's memory limit includes swap; leave --memory-swap out");
        if (host.Privileged)
            throw EngineException.Invalid("--privileged is not supported: it would give the container every capability and device and no seccomp filter; add what it needs with --cap-add (and --security-opt seccomp=unconfined)");
        if (host.MaskedPaths is not null || host.ReadonlyPaths is not null)
            throw EngineException.Invalid("MaskedPaths/ReadonlyPaths (--security-opt systempaths=unconfined) are not supported: /proc and /sys stay masked; leave them out");
        string? logMaxSize = LogConfigRules.MaxSizeOf(host.LogConfig?.Type, host.LogConfig?.Config);
        return new ContainerCreateSpec
        {
            Name = string.IsNullOrEmpty(name) ? null : name,
            Image = body.Image ?? "",
            Network = first?.Network,
            Ip = first?.Ip,
            Aliases = first?.Aliases ?? [],
            MoreNetworks = more,
            AutoRemove = host.AutoRemove,
            Publish = PortRequests(host.PortBindings),
            Spec = new ContainerSpec
            {
                Cmd = body.Cmd is { Count: > 0 } ? body.Cmd : null,
                Entrypoint = body.Entrypoint is { Count: > 0 } e ? (e is [""] ? [] : e) : null,
                Env = body.Env ?? [],
                WorkingDir = NullIfEmpty(body.WorkingDir),
                User = NullIfEmpty(body.User),
                Hostname = NullIfEmpty(body.Hostname),
                Domainname = NullIfEmpty(body.Domainname),
                Binds = (host.Binds ?? []).Select(ContainerPlanner.ParseBind).ToList(),
                MemoryBytes = host.Memory > 0 ? host.Memory : null,
                NanoCpus = host.NanoCpus > 0 ? host.NanoCpus : null,
                Labels = body.Labels ?? [],
                Tty = body.Tty,
                OpenStdin = body.OpenStdin,
                KeepStdinOpen = body.OpenStdin && !body.StdinOnce,
                SecurityOpt = host.SecurityOpt ?? [],
                CapAdd = host.CapAdd ?? [],
                CapDrop = host.CapDrop ?? [],
                // The docker CLI sends 0 when --pids-limit is not given (cli opts.go takes the flag's address), so over
                // the API only a negative value asks for no limit; our CLI sends -1 for --pids-limit 0.
                PidsLimit = host.PidsLimit is 0 ? null : host.PidsLimit,
                LogMaxSize = logMaxSize,
                Dns = host.Dns ?? [],
                DnsSearch = host.DnsSearch ?? [],
                DnsOptions = host.DnsOptions ?? [],
                ExtraHosts = host.ExtraHosts ?? [],
            },
        };
    }

    public static ContainerSummary ToSummary(ContainerView v)
    {
        var r = v.Container;
        return new ContainerSummary
        {
            Id = r.Id,
            Names = ["/" + r.Name],
            Image = r.Image,
            ImageID = r.ImageId,
            Command = string.Join(' ', v.Command.Select(QuoteArg)),
            Created = r.Created.ToUnixTimeSeconds(),
            State = ContainerStatusText.StateWord(r.Phase),
            Status = ContainerStatusText.Status(r, DateTimeOffset.UtcNow),
            Labels = v.Spec.Labels,
            Ports = v.Spec.Ports.Select(p => new PortSummary { IP = p.HostIp, PrivatePort = p.ContainerPort, PublicPort = p.HostPort, Type = p.Protocol }).ToList(),
            NetworkSettings = new SummaryNetworkSettings { Networks = Networks(v) },
            Mounts = Mounts(v.Spec),
        };
    }

    public static ContainerInspect ToInspect(ContainerView v, ContainerPaths paths)
    {
        var r = v.Container;
        var command = v.Command;
        var networks = Networks(v);
        var endpoint = v.Network is { } primary ? networks.GetValueOrDefault(primary.Name) : null;
        return new ContainerInspect
        {
            Id = r.Id,
            Created = Time(r.Created),
            Path = command.FirstOrDefault() ?? "",
            Args = command.Skip(1).ToList(),
            State = new ContainerState
            {
                Status = ContainerStatusText.StateWord(r.Phase),
                Running = r.Phase == ContainerPhase.Running,
                Pid = r.Phase == ContainerPhase.Running ? r.Pid ?? 0 : 0,
                ExitCode = r.ExitCode ?? 0,
                OOMKilled = r.OomKilled,
                Error = r.Error ?? "",
                StartedAt = r.StartedAt is { } s ? Time(s) : "0001-01-01T00:00:00Z",
                FinishedAt = r.FinishedAt is { } f ? Time(f) : "0001-01-01T00:00:00Z",
            },
            Image = r.ImageId,
            Name = "/" + r.Name,
            RestartCount = r.RestartCount,
            LogPath = paths.Log,
            HostsPath = paths.Hosts,
            HostnamePath = paths.Hostname,
            ResolvConfPath = paths.ResolvConf,
            HostConfig = new HostConfig
            {
                Binds = v.Spec.Binds.Select(b => b.ToString()).ToList(),
                NetworkMode = v.NetworkName,
                AutoRemove = r.AutoRemove,
                Memory = v.Spec.MemoryBytes ?? 0,
                NanoCpus = v.Spec.NanoCpus ?? 0,
                PortBindings = PortMap(v.Spec),
                SecurityOpt = NullIfEmpty(v.Spec.SecurityOpt),
                CapAdd = NullIfEmpty(v.Spec.CapAdd),
                CapDrop = NullIfEmpty(v.Spec.CapDrop),
                PidsLimit = v.Spec.PidsLimit is > 0 ? v.Spec.PidsLimit : null,
                LogConfig = new LogConfig
                {
                    Type = LogConfigRules.Driver,
                    Config = v.Spec.LogMaxSize is { } max ? new() { ["max-size"] = max } : [],
                },
                Dns = v.Spec.Dns,
                DnsSearch = v.Spec.DnsSearch,
                DnsOptions = v.Spec.DnsOptions,
                ExtraHosts = v.Spec.ExtraHosts,
            },
            Config = new ContainerConfig
            {
                Hostname = v.Spec.Hostname ?? r.Id[..12],
                Domainname = v.Spec.Domainname ?? "",
                User = v.Spec.User ?? "",
                Tty = v.Spec.Tty,
                OpenStdin = v.Spec.OpenStdin,
                StdinOnce = v.Spec.OpenStdin && !v.Spec.KeepStdinOpen,
                Env = v.Spec.Env,
                Cmd = v.Spec.Cmd,
                Entrypoint = v.Spec.Entrypoint,
                Image = r.Image,
                WorkingDir = v.Spec.WorkingDir ?? "",
                Labels = v.Spec.Labels,
                ExposedPorts = v.Spec.Ports.Count == 0 ? null
                    : v.Spec.Ports.Select(p => $"{p.ContainerPort}/{p.Protocol}").Distinct().ToDictionary(k => k, _ => new EmptyObject()),
            },
            NetworkSettings = new InspectNetworkSettings
            {
                SandboxKey = paths.NetnsPath,
                Gateway = endpoint?.Gateway ?? "",
                IPAddress = endpoint?.IPAddress ?? "",
                IPPrefixLen = endpoint?.IPPrefixLen ?? 0,
                MacAddress = endpoint?.MacAddress ?? "",
                // Docker lists the bindings here only while the container runs; HostConfig keeps them always.
                Ports = r.Phase == ContainerPhase.Running ? PortMap(v.Spec) : [],
                Networks = networks,
            },
            Mounts = Mounts(v.Spec),
        };
    }

    public static string Time(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture);

    /// <summary>Every network the container is on, the primary first, in Docker's shape (API 1.44: DNSNames, and Aliases
    /// only the user's).</summary>
    private static Dictionary<string, EndpointSettings> Networks(ContainerView v)
    {
        var r = v.Container;
        var result = new Dictionary<string, EndpointSettings>();
        foreach (var e in r.Endpoints)
        {
            if (e.Ip is not { } ip || v.NetworkOf(e.NetworkId) is not { } network) continue;
            result[network.Name] = new EndpointSettings
            {
                IPAMConfig = e.StaticIp is { } wanted ? new EndpointIpamConfig { IPv4Address = wanted.ToString() } : null,
                Aliases = e.Aliases.Count > 0 ? [.. e.Aliases] : null,
                NetworkID = e.NetworkId,
                EndpointID = EndpointId(r.Id, e.NetworkId),
                Gateway = network.Gateway.ToString(),
                IPAddress = ip.ToString(),
                IPPrefixLen = network.Subnet.PrefixLength,
                MacAddress = e.Mac ?? "",
                DNSNames = [.. r.NamesOn(e)],
            };
        }
        return result;
    }

    /// <summary>An endpoint's id as Docker shows one (64 hex digits), derived from the container and the network so that
    /// container inspect and network inspect agree without storing it.</summary>
    public static string EndpointId(string containerId, string networkId) =>
        Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.ASCII.GetBytes(containerId + "/" + networkId)));

    private static List<MountPoint> Mounts(ContainerSpec spec) => spec.Binds
        .Select(b => new MountPoint { Source = b.Source, Destination = b.Destination, RW = !b.ReadOnly, Mode = b.ReadOnly ? "ro" : "" })
        .ToList();

    private static string QuoteArg(string a) => a.Length > 0 && a.All(c => !char.IsWhiteSpace(c) && c is not '"' and not '\'') ? a : JsonSerializer.Serialize(a);

    private static string? NullIfEmpty(string? s) => string.IsNullOrEmpty(s) ? null : s;

    private static List<string>? NullIfEmpty(List<string> list) => list.Count == 0 ? null : list;
}
