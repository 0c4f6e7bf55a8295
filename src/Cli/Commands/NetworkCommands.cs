using MyDocker.Cli.Output;
using MyDocker.Cli.Parsing;
using MyDocker.Shared.Api;

namespace MyDocker.Cli.Commands;

/// <summary><c>mydocker network create|ls|inspect|rm|prune|connect|disconnect</c>.</summary>
public static class NetworkCommands
{
    /// <summary>Docker's driver option naming the bridge device.</summary>
    public const string BridgeNameOption = "com.docker.network.bridge.name";

    // The seed's short option keys and the Docker keys they stand for; other keys pass through unchanged.
    private static readonly (string Short, string Docker)[] OptionAliases = [("bridge.name", BridgeNameOption)];

    private static readonly FlagSpec[] CreateFlags =
    [
        FlagSpec.Value("driver", 'd', "string", "Driver to manage the network", "\"bridge\""),
        FlagSpec.List("subnet", '\0', "string", "Subnet in CIDR format; host bits set (10.0.0.1/24) also pick the gateway"),
        FlagSpec.List("gateway", '\0', "string", "IPv4 gateway of the subnet"),
        FlagSpec.List("ip-range", '\0', "string", "Allocate container addresses from this sub-range (CIDR)"),
        FlagSpec.List("opt", 'o', "map", "Driver option KEY=VALUE, e.g. bridge.name=br-web (repeatable)"),
        FlagSpec.List("label", '\0', "list", "Metadata KEY=VALUE on the network (repeatable)"),
        FlagSpec.Bool("internal", '\0', "Restrict external access to the network"),
    ];

    private static readonly FlagSpec[] ListFlags =
    [
        FlagSpec.Value("format", '\0', "string", "Output format: table or json", "table"),
        FlagSpec.Bool("quiet", 'q', "Only display network IDs"),
        FlagSpec.Bool("no-trunc", '\0', "Do not truncate the output"),
        FlagSpec.List("filter", 'f', "filter", "Filter output, e.g. name=web, id=3f2a, driver=bridge, label=k=v"),
    ];

    public static readonly CommandSpec Create = new()
    {
        Name = "create",
        Summary = "Create a network",
        ArgsUsage = "NETWORK",
        Flags = CreateFlags,
        MinArgs = 1,
        MaxArgs = 1,
        Run = CreateAsync,
    };

    public static readonly CommandSpec List = new()
    {
        Name = "ls",
        Aliases = ["list"],
        Summary = "List networks",
        Flags = ListFlags,
        MaxArgs = 0,
        Run = ListAsync,
    };

    public static readonly CommandSpec Inspect = new()
    {
        Name = "inspect",
        Summary = "Display detailed information on one or more networks",
        ArgsUsage = "NETWORK [NETWORK...]",
        MinArgs = 1,
        Run = InspectAsync,
    };

    public static readonly CommandSpec Remove = new()
    {
        Name = "rm",
        Aliases = ["remove"],
        Summary = "Remove one or more networks",
        ArgsUsage = "NETWORK [NETWORK...]",
        MinArgs = 1,
        Run = RemoveAsync,
    };

    public static readonly CommandSpec Prune = new()
    {
        Name = "prune",
        Summary = "Remove all networks no container uses",
        Flags = [FlagSpec.Bool("force", 'f', "Do not prompt for confirmation")],
        MaxArgs = 0,
        Run = PruneAsync,
    };

    public static readonly CommandSpec Connect = new()
    {
        Name = "connect",
        Summary = "Connect a container to a network",
        ArgsUsage = "NETWORK CONTAINER",
        Flags =
        [
            FlagSpec.Value("ip", '\0', "string", "IPv4 address on the network (kept while the container exists)"),
            FlagSpec.List("alias", '\0', "strings", "Name the container also answers to on this network (a DNS label; repeatable)"),
        ],
        MinArgs = 2,
        MaxArgs = 2,
        Run = ConnectAsync,
    };

    public static readonly CommandSpec Disconnect = new()
    {
        Name = "disconnect",
        Summary = "Disconnect a container from a network",
        ArgsUsage = "NETWORK CONTAINER",
        Flags = [FlagSpec.Bool("force", 'f', "Disconnect even if a kernel step fails (the reconciler removes what is left)")],
        MinArgs = 2,
        MaxArgs = 2,
        Run = DisconnectAsync,
    };

    public static readonly CommandGroup Group = new()
    {
        Name = "network",
        Summary = "Manage networks",
        Commands = [Connect, Create, Disconnect, Inspect, List, Prune, Remove],
    };

    /// <summary>The <c>POST /networks/{id}/connect</c> body for parsed <c>network connect</c> arguments, shaped as the
    /// docker CLI sends it.</summary>
    public static NetworkConnectRequest BuildConnectRequest(ParsedArgs args)
    {
        string? ip = args.Value("ip");
        var aliases = args.Values("alias");
        return new NetworkConnectRequest
        {
            Container = args.Positionals[1],
            EndpointConfig = new EndpointSettings
            {
                IPAMConfig = string.IsNullOrEmpty(ip) ? null : new EndpointIpamConfig { IPv4Address = ip },
                Aliases = aliases.Count > 0 ? [.. aliases] : null,
            },
        };
    }

    private static async Task<int> ConnectAsync(CommandContext context, ParsedArgs args)
    {
        await context.Daemon.ConnectNetworkAsync(args.Positionals[0], BuildConnectRequest(args), context.Cancel).ConfigureAwait(false);
        return CliApp.ExitOk;
    }

    private static async Task<int> DisconnectAsync(CommandContext context, ParsedArgs args)
    {
        var request = new NetworkDisconnectRequest { Container = args.Positionals[1], Force = args.Bool("force") };
        await context.Daemon.DisconnectNetworkAsync(args.Positionals[0], request, context.Cancel).ConfigureAwait(false);
        return CliApp.ExitOk;
    }

    /// <summary>The <c>POST /networks/create</c> body for parsed <c>network create</c> arguments.</summary>
    /// <exception cref="UsageException">An option is malformed or IPAM flags do not fit together.</exception>
    public static NetworkCreateRequest BuildCreateRequest(ParsedArgs args)
    {
        var subnets = args.Values("subnet");
        var gateways = args.Values("gateway");
        var ranges = args.Values("ip-range");
        if (subnets.Count > 1) throw new UsageException("only one --subnet per network is supported");
        if (gateways.Count > 1 || ranges.Count > 1) throw new UsageException("only one --gateway and one --ip-range per network are supported");
        if (subnets.Count == 0 && (gateways.Count > 0 || ranges.Count > 0))
            throw new UsageException("--gateway and --ip-range need a --subnet they belong to");

        // Shaped like the docker CLI's body (IPAM driver "default", an empty Config without --subnet), so the
        // daemon sees the same request from either client.
        var config = new List<IpamPoolConfig>(1);
        if (subnets.Count == 1)
        {
            config.Add(new IpamPoolConfig
            {
                Subnet = subnets[0],
                Gateway = gateways.Count == 1 ? gateways[0] : null,
                IPRange = ranges.Count == 1 ? ranges[0] : null,
            });
        }

        return new NetworkCreateRequest
        {
            Name = args.Positionals[0],
            Driver = args.Value("driver") ?? "bridge",
            Internal = args.Bool("internal"),
            EnableIPv6 = false,
            IPAM = new IpamConfigSection { Driver = "default", Config = config },
            Options = ParseOptions(args.Values("opt")),
            Labels = ParseLabels(args.Values("label")),
        };
    }

    private static Dictionary<string, string>? ParseOptions(IReadOnlyList<string> values)
    {
        if (values.Count == 0) return null;
        var options = new Dictionary<string, string>(values.Count, StringComparer.Ordinal);
        foreach (var item in values)
        {
            int eq = item.IndexOf('=');
            if (eq <= 0) throw new UsageException($"invalid driver option \"{item}\": expected KEY=VALUE, e.g. -o bridge.name=br-web");
            string key = item[..eq];
            foreach (var (shortKey, dockerKey) in OptionAliases)
                if (key == shortKey) key = dockerKey;
            options[key] = item[(eq + 1)..];
        }
        return options;
    }

    // Like docker, a label without '=' has an empty value.
    private static Dictionary<string, string>? ParseLabels(IReadOnlyList<string> values)
    {
        if (values.Count == 0) return null;
        var labels = new Dictionary<string, string>(values.Count, StringComparer.Ordinal);
        foreach (var item in values)
        {
            int eq = item.IndexOf('=');
            if (eq == 0) throw new UsageException($"invalid label \"{item}\": the key is empty");
            if (eq < 0) labels[item] = "";
            else labels[item[..eq]] = item[(eq + 1)..];
        }
        return labels;
    }

    private static async Task<int> CreateAsync(CommandContext context, ParsedArgs args)
    {
        var request = BuildCreateRequest(args);
        var created = await context.Daemon.CreateNetworkAsync(request, context.Cancel).ConfigureAwait(false);
        if (!string.IsNullOrEmpty(created.Warning)) context.Err.WriteLine("WARNING: " + created.Warning);
        context.Out.WriteLine(created.Id);
        return CliApp.ExitOk;
    }

    /// <summary>Docker's filters query value, <c>{"name":["web"]}</c>, from repeated <c>--filter key=value</c>; null for none.</summary>
    public static string? BuildFilters(IReadOnlyList<string> values)
    {
        if (values.Count == 0) return null;
        var filters = new Dictionary<string, List<string>>();
        foreach (var v in values)
        {
            int eq = v.IndexOf('=');
            if (eq <= 0) throw new UsageException($"bad filter \"{v}\": write it as key=value, e.g. --filter name=web");
            string key = v[..eq];
            if (!filters.TryGetValue(key, out var list)) filters[key] = list = new List<string>();
            list.Add(v[(eq + 1)..]);
        }
        return System.Text.Json.JsonSerializer.Serialize(filters, ApiJsonContext.Default.DictionaryStringListString);
    }

    private static async Task<int> ListAsync(CommandContext context, ParsedArgs args)
    {
        string format = args.Value("format") ?? "table";
        if (format != "table" && format != "json")
            throw new UsageException($"unsupported --format \"{format}\": use table or json");
        bool quiet = args.Bool("quiet");
        bool noTrunc = args.Bool("no-trunc");

        var raw = await context.Daemon.ListNetworksRawAsync(BuildFilters(args.Values("filter")), context.Cancel).ConfigureAwait(false);
        if (format == "json" && !quiet)
        {
            JsonOutput.Write(context.Out, raw);
            return CliApp.ExitOk;
        }
        var networks = DaemonClient.Decode(raw, ApiJsonContext.Default.ListNetworkResource, HttpMethod.Get, "/networks");
        SortByName(networks);
        if (quiet)
        {
            foreach (var n in networks) context.Out.WriteLine(noTrunc ? n.Id : ShortId(n.Id));
            return CliApp.ExitOk;
        }
        FormatTable(networks, noTrunc).WriteTo(context.Out);
        return CliApp.ExitOk;
    }

    /// <summary>The <c>network ls</c> table: NETWORK ID, NAME, DRIVER, SUBNET, GATEWAY, BRIDGE, SCOPE.</summary>
    public static Table FormatTable(IReadOnlyList<NetworkResource> networks, bool noTrunc = false)
    {
        var table = new Table("NETWORK ID", "NAME", "DRIVER", "SUBNET", "GATEWAY", "BRIDGE", "SCOPE");
        foreach (var n in networks)
        {
            var pools = n.IPAM?.Config;
            string? bridge = null;
            n.Options?.TryGetValue(BridgeNameOption, out bridge);
            table.AddRow(
                noTrunc ? n.Id : ShortId(n.Id),
                n.Name,
                n.Driver,
                JoinPools(pools, static p => p.Subnet),
                JoinPools(pools, static p => p.Gateway),
                bridge,
                n.Scope);
        }
        return table;
    }

    /// <summary>Docker's short id: the first 12 characters.</summary>
    public static string ShortId(string? id) => id is null ? "" : id.Length > 12 ? id[..12] : id;

    private static string JoinPools(List<IpamPoolConfig>? pools, Func<IpamPoolConfig, string?> field)
    {
        if (pools is null || pools.Count == 0) return "";
        if (pools.Count == 1) return field(pools[0]) ?? "";
        var parts = new List<string>(pools.Count);
        foreach (var p in pools)
            if (field(p) is { Length: > 0 } value) parts.Add(value);
        return string.Join(",", parts);
    }

    private static void SortByName(List<NetworkResource> networks) =>
        networks.Sort(static (a, b) => string.CompareOrdinal(a.Name, b.Name));

    private static async Task<int> InspectAsync(CommandContext context, ParsedArgs args)
    {
        var found = new List<byte[]>(args.Positionals.Count);
        var errors = new List<string>();
        foreach (var name in args.Positionals)
        {
            try
            {
                found.Add(await context.Daemon.InspectNetworkRawAsync(name, context.Cancel).ConfigureAwait(false));
            }
            catch (DaemonException e) when (e.StatusCode != 0)
            {
                errors.Add(e.Message); // no such network: print what was found, then the errors, like docker
            }
        }
        JsonOutput.WriteArray(context.Out, found);
        foreach (var error in errors) context.Error(error);
        return errors.Count == 0 ? CliApp.ExitOk : CliApp.ExitDaemonError;
    }

    private static async Task<int> RemoveAsync(CommandContext context, ParsedArgs args)
    {
        bool failed = false;
        foreach (var name in args.Positionals)
        {
            try
            {
                await context.Daemon.RemoveNetworkAsync(name, context.Cancel).ConfigureAwait(false);
                context.Out.WriteLine(name);
            }
            catch (DaemonException e) when (e.StatusCode != 0)
            {
                // The daemon answered (in use, no such network): report it and go on with the others.
                context.Error(e.Message);
                failed = true;
            }
        }
        return failed ? CliApp.ExitDaemonError : CliApp.ExitOk;
    }

    private static async Task<int> PruneAsync(CommandContext context, ParsedArgs args)
    {
        if (!args.Bool("force"))
        {
            context.Out.Write("WARNING! This will remove all networks not used by at least one container.\nAre you sure you want to continue? [y/N] ");
            context.Out.Flush();
            if (Console.In.ReadLine()?.Trim() is not ("y" or "Y" or "yes"))
            {
                context.Out.WriteLine();
                context.Error("prune cancelled; nothing was removed (pass -f to skip the question)");
                return CliApp.ExitDaemonError;
            }
        }
        var pruned = await context.Daemon.PruneNetworksAsync(context.Cancel).ConfigureAwait(false);
        if (pruned.NetworksDeleted.Count > 0)
        {
            context.Out.WriteLine("Deleted Networks:");
            foreach (var name in pruned.NetworksDeleted) context.Out.WriteLine(name);
        }
        return CliApp.ExitOk;
    }
}
