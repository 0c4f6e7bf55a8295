using MyDocker.Cli.Parsing;
using MyDocker.Cli.Streams;
using MyDocker.Cli.Terminal;
using MyDocker.Shared.Api;
using MyDocker.Shared.Ports;

namespace MyDocker.Cli.Commands;

/// <summary>
/// <c>mydocker run [OPTIONS] IMAGE [COMMAND] [ARG...]</c>: create, start and, without <c>-d</c>, stream the
/// container's output and exit with its exit code. Exit codes follow the docker CLI, so a script can tell the
/// engine's failures from the container's: 125 the engine or the command line failed, 126 the command could not be
/// executed, 127 it was not found; otherwise the container's own code.
/// </summary>
public static class RunCommand
{
    public const int ExitEngineError = 125;
    public const int ExitCannotExecute = 126;
    public const int ExitNotFound = 127;

    public static readonly FlagSpec[] Flags =
    [
        FlagSpec.Bool("detach", 'd', "Run the container in the background and print its ID"),
        FlagSpec.Bool("interactive", 'i', "Keep STDIN open and send this terminal's input to the container"),
        FlagSpec.Bool("tty", 't', "Allocate a pseudo-TTY"),
        FlagSpec.Value("name", '\0', "string", "Assign a name to the container"),
        new() { Name = "network", LongAliases = ["net"], ValueName = "network", Help = "Connect the container to a network (also --net, -net); repeat for several: the first is eth0 and the default route", Repeatable = true },
        FlagSpec.List("network-alias", '\0', "list", "Add a network-scoped alias for the container on the first --network (a DNS label; repeatable)"),
        FlagSpec.List("env", 'e', "list", "Set an environment variable KEY=VALUE, or KEY to pass this shell's value (repeatable)"),
        FlagSpec.List("volume", 'v', "list", "Bind mount HOST-PATH:CONTAINER-PATH[:ro] (repeatable)"),
        FlagSpec.List("publish", 'p', "list", "Publish a container's port(s) to the host: [HOSTIP:][HOSTPORT:]CONTAINERPORT[/tcp|udp], e.g. 8080:80, 127.0.0.1::80, 8000-8001:80-81 (repeatable)"),
        FlagSpec.Value("memory", 'm', "bytes", "Memory limit, e.g. 32m or 1g"),
        FlagSpec.Value("cpus", '\0', "decimal", "Number of CPUs, e.g. 1.5"),
        FlagSpec.Value("ip", '\0', "string", "IPv4 address on the (first) network given with --network, e.g. 10.10.10.5"),
        FlagSpec.Bool("rm", '\0', "Automatically remove the container when it exits"),
        FlagSpec.Value("workdir", 'w', "string", "Working directory inside the container"),
        FlagSpec.Value("entrypoint", '\0', "string", "Overwrite the default ENTRYPOINT of the image"),
        FlagSpec.Value("hostname", 'h', "string", "Container host name"),
        FlagSpec.Value("domainname", '\0', "string", "Container NIS domain name, e.g. example.com"),
        FlagSpec.List("dns", '\0', "list", "Set a custom DNS server, e.g. 192.0.2.53 (repeatable; on a user-defined network the engine's resolver forwards to it)"),
        FlagSpec.List("dns-search", '\0', "list", "Set a custom DNS search domain, e.g. example.com, or . for none (repeatable)"),
        new() { Name = "dns-option", LongAliases = ["dns-opt"], ValueName = "list", Repeatable = true, Help = "Set a DNS option, e.g. ndots:2 or edns0 (repeatable; also --dns-opt)" },
        FlagSpec.List("add-host", '\0', "list", "Add a custom host-to-IP mapping NAME:IP, or NAME:host-gateway for the host (repeatable)"),
        FlagSpec.Value("user", 'u', "string", "Username or UID[:GID]"),
        FlagSpec.List("security-opt", '\0', "list", "Security options: seccomp=unconfined, seccomp=PROFILE.json, no-new-privileges (repeatable)"),
        FlagSpec.List("cap-add", '\0', "list", "Add a Linux capability, e.g. NET_RAW, or ALL (repeatable)"),
        FlagSpec.List("cap-drop", '\0', "list", "Drop a Linux capability, or ALL (repeatable)"),
        FlagSpec.Value("pids-limit", '\0', "int", "Tune the container's pids limit (0 or -1 for unlimited; default: the daemon's, 2048)"),
        FlagSpec.Value("log-driver", '\0', "string", "Logging driver for the container (only the default, k8s-file, also called json-file)"),
        FlagSpec.List("log-opt", '\0', "list", "Log driver option: max-size=SIZE starts the log afresh when it would grow past SIZE, e.g. 10m (repeatable)"),
    ];

    public static readonly CommandSpec Spec = new()
    {
        Name = "run",
        Summary = "Create and run a new container from an image",
        ArgsUsage = "IMAGE [COMMAND] [ARG...]",
        Flags = Flags,
        MinArgs = 1,
        Interspersed = false, // everything after IMAGE is the container's command, flags included
        FailureExitCode = ExitEngineError,
        Run = RunAsync,
    };

    /// <summary>What <c>run</c> sends: the create body and the <c>?name=</c> query value.</summary>
    public sealed record Plan(ContainerCreateRequest Request, string? Name, bool Detach, bool AutoRemove)
    {
        public bool Interactive => Request.OpenStdin;
        public bool Tty => Request.Tty;
    }

    /// <summary>Turns parsed <c>run</c> arguments into the <c>POST /containers/create</c> request.</summary>
    /// <param name="env">The CLI's environment, for <c>-e KEY</c>.</param>
    /// <exception cref="UsageException">A flag value is malformed or flags do not fit together.</exception>
    public static Plan BuildPlan(ParsedArgs args, Func<string, string?> env)
    {
        string image = args.Positionals[0];
        List<string>? cmd = args.Positionals.Count > 1 ? [.. args.Positionals.Skip(1)] : null;
        string? name = args.Value("name") is { } n ? RunOptionParsers.ParseName(n) : null;
        var networks = args.Values("network");
        if (networks.Any(n => n.Length == 0)) throw new UsageException("--network needs a network name or id");
        if (networks.Distinct().Count() < networks.Count) throw new UsageException("each --network may be given once");
        string? network = networks.Count > 0 ? networks[0] : null;
        var aliases = args.Values("network-alias");
        if (aliases.Count > 0 && network is null)
            throw new UsageException("--network-alias needs --network NAME: an alias is the container's name on that network");
        string? ip = args.Value("ip") is { } rawIp ? RunOptionParsers.ParseIPv4(rawIp) : null;
        if (ip is not null && network is null)
            throw new UsageException($"--ip {ip} needs --network NAME: a fixed address is taken from that network's subnet");

        var envList = new List<string>();
        foreach (var e in args.Values("env"))
            if (RunOptionParsers.ParseEnv(e, env) is { } entry) envList.Add(entry);
        var binds = new List<string>();
        foreach (var v in args.Values("volume")) binds.Add(RunOptionParsers.ParseBind(v));
        var ports = args.Values("publish") is { Count: > 0 } publish ? DaemonClient.ToDockerMaps(RunOptionParsers.ParsePublish(publish)) : null;
        var logOptions = new Dictionary<string, string>();
        foreach (var o in args.Values("log-opt"))
        {
            int eq = o.IndexOf('=');
            if (eq <= 0) throw new UsageException($"--log-opt {o}: give KEY=VALUE, e.g. --log-opt max-size=10m");
            logOptions[o[..eq]] = o[(eq + 1)..];
        }
        string? logDriver = args.Value("log-driver");

        bool detach = args.Bool("detach");
        bool autoRemove = args.Bool("rm");
        bool interactive = args.Bool("interactive");
        var request = new ContainerCreateRequest
        {
            Tty = args.Bool("tty"),
            OpenStdin = interactive,
            // As the docker CLI: attached, stdin closes when this client detaches; detached (-d -i) it stays open.
            StdinOnce = interactive && !detach,
            Hostname = args.Value("hostname"),
            Domainname = args.Value("domainname"),
            User = args.Value("user"),
            Env = envList.Count > 0 ? envList : null,
            Cmd = cmd,
            // Like docker: --entrypoint "" resets the image's entrypoint to none.
            Entrypoint = args.Value("entrypoint") is { } ep ? [ep] : null,
            Image = image,
            WorkingDir = args.Value("workdir"),
            ExposedPorts = ports?.ExposedPorts,
            HostConfig = new HostConfig
            {
                Binds = binds.Count > 0 ? binds : null,
                PortBindings = ports?.PortBindings,
                // The docker CLI's value when --network is absent; the daemon puts the container on its default network.
                NetworkMode = network ?? "default",
                // Attached, the CLI removes the container itself once the output is drained (see RunAttachedAsync);
                // detached, the daemon does it when the container exits.
                AutoRemove = autoRemove && detach,
                Memory = args.Value("memory") is { } m ? RunOptionParsers.ParseMemory(m) : 0,
                NanoCpus = args.Value("cpus") is { } c ? RunOptionParsers.ParseCpus(c) : 0,
                SecurityOpt = args.Values("security-opt") is { Count: > 0 } opts ? [.. opts.Select(RunOptionParsers.ParseSecurityOpt)] : null,
                CapAdd = args.Values("cap-add") is { Count: > 0 } add ? [.. add] : null,
                CapDrop = args.Values("cap-drop") is { Count: > 0 } drop ? [.. drop] : null,
                PidsLimit = args.Value("pids-limit") is { } pids ? RunOptionParsers.ParsePidsLimit(pids) : null,
                LogConfig = logDriver is null && logOptions.Count == 0 ? null : new LogConfig { Type = logDriver ?? "", Config = logOptions },
                Dns = args.Values("dns") is { Count: > 0 } dns ? [.. dns.Select(RunOptionParsers.ParseDns)] : null,
                DnsSearch = args.Values("dns-search") is { Count: > 0 } search ? [.. search.Select(RunOptionParsers.ParseDnsSearch)] : null,
                DnsOptions = args.Values("dns-option") is { Count: > 0 } dnsOpts ? [.. dnsOpts.Select(RunOptionParsers.ParseDnsOption)] : null,
                ExtraHosts = args.Values("add-host") is { Count: > 0 } hosts ? [.. hosts.Select(RunOptionParsers.ParseAddHost)] : null,
            },
            NetworkingConfig = network is null ? null : new NetworkingConfig
            {
                // As the docker CLI: one entry per --network, the first with --ip and --network-alias.
                EndpointsConfig = networks.Select((net, i) => (net, i)).ToDictionary(x => x.net, x => x.i > 0 ? new EndpointSettings() : new EndpointSettings
                {
                    IPAMConfig = ip is null ? null : new EndpointIpamConfig { IPv4Address = ip },
                    Aliases = aliases.Count > 0 ? [.. aliases] : null,
                }),
            },
        };
        return new Plan(request, name, detach, autoRemove);
    }

    /// <summary>
    /// The docker CLI's exit code for a failed create or start, from the daemon's message: 127 when the command
    /// was not found, 126 when it could not be executed, 125 otherwise.
    /// </summary>
    public static int ExitCodeForStartError(string message)
    {
        if (message.Contains("executable file not found", StringComparison.OrdinalIgnoreCase)
            || message.Contains("no such file or directory", StringComparison.OrdinalIgnoreCase))
            return ExitNotFound;
        if (message.Contains("permission denied", StringComparison.OrdinalIgnoreCase)
            || message.Contains("is a directory", StringComparison.OrdinalIgnoreCase))
            return ExitCannotExecute;
        return ExitEngineError;
    }

    private static async Task<int> RunAsync(CommandContext context, ParsedArgs args)
    {
        var plan = BuildPlan(args, context.Env);
        if (plan.Interactive && plan.Tty && !plan.Detach && !RawTerminal.StdinIsTerminal)
        {
            context.Error("the input device is not a TTY; leave out -t, or run from a terminal");
            return CliApp.ExitDaemonError; // docker exits 1 here too
        }
        var daemon = context.Daemon;
        ContainerCreateResponse created;
        try
        {
            created = await daemon.CreateContainerAsync(plan.Request, plan.Name, context.Cancel).ConfigureAwait(false);
        }
        catch (DaemonException e) when (e.StatusCode != 0)
        {
            context.Error(e.Message);
            return ExitCodeForStartError(e.Message);
        }
        foreach (var warning in created.Warnings ?? []) context.Err.WriteLine("WARNING: " + warning);
        string id = created.Id;

        if (plan.Detach)
        {
            if (await TryStartAsync(context, id) is int failed) return failed;
            context.Out.WriteLine(id);
            return CliApp.ExitOk;
        }
        if (plan.Interactive || plan.Tty) return await RunInteractiveAsync(context, id, plan).ConfigureAwait(false);
        return await RunAttachedAsync(context, id, plan.AutoRemove).ConfigureAwait(false);
    }

    // -i / -t: attach to the container's stdio before it starts (the daemon connects it when the process is created,
    // before it runs, so the first prompt is not lost), then start; stdin goes up the same connection. With a
    // terminal this one is raw and keys (Ctrl-C too) go to the container's pty; without, Ctrl-C becomes SIGINT.
    private static async Task<int> RunInteractiveAsync(CommandContext context, string id, Plan plan)
    {
        var daemon = context.Daemon;
        using var wait = await daemon.BeginWaitAsync(id, "next-exit", context.Cancel).ConfigureAwait(false);
        using var attach = await daemon.AttachAsync(id, context.Cancel).ConfigureAwait(false);
        if (await TryStartAsync(context, id).ConfigureAwait(false) is int failed) return failed;

        using var raw = plan.Tty && plan.Interactive ? RawTerminal.EnterRaw() : null;
        using var forward = raw is null ? context.Cancel.Register(() => _ = ForwardInterruptAsync(daemon, id)) : default;
        using var resize = plan.Tty ? TrackTerminalSize(daemon, id) : null;
        if (plan.Interactive) _ = PumpStdinAsync(attach); // may stay blocked on a read after the container exits: not awaited
        else attach.CloseInput();
        try
        {
            if (attach.Raw) await MultiplexedStreamReader.CopyRawAsync(attach.Stream, context.Out, CancellationToken.None).ConfigureAwait(false);
            else await MultiplexedStreamReader.CopyAsync(attach.Stream, context.Out, context.Err, CancellationToken.None).ConfigureAwait(false);
        }
        catch (IOException) { } // the daemon closed the connection: the wait says how the container ended
        raw?.Dispose();
        return await ExitCodeAsync(context, id, wait, plan.AutoRemove).ConfigureAwait(false);
    }

    /// <summary>This process's stdin up the attach connection until it ends; then the remote stdin is closed.</summary>
    internal static async Task PumpStdinAsync(DaemonClient.Attachment attach)
    {
        var buffer = new byte[8192];
        try
        {
            // fd 0 read directly: .NET's console stream re-configures the terminal before each read (echo and line
            // mode back on), which would undo raw mode.
            await using var stdin = new FileStream(new Microsoft.Win32.SafeHandles.SafeFileHandle(0, ownsHandle: false), FileAccess.Read, 1);
            int n;
            while ((n = await stdin.ReadAsync(buffer).ConfigureAwait(false)) > 0)
                await attach.Stream.WriteAsync(buffer.AsMemory(0, n)).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException) { }
        attach.CloseInput();
    }

    /// <summary>Sends the terminal's size now and whenever it changes (SIGWINCH), as the docker CLI does.</summary>
    private static IDisposable? TrackTerminalSize(DaemonClient daemon, string id)
    {
        async Task SendAsync()
        {
            if (RawTerminal.Size() is not var (rows, columns)) return;
            try { await daemon.ResizeAsync(id, rows, columns, CancellationToken.None).ConfigureAwait(false); }
            catch (DaemonException) { } // the container may be gone already
        }
        _ = SendAsync();
        return System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGWINCH, signal => { _ = SendAsync(); });
    }

    // Attached: register the wait first (its headers come back once the daemon holds the waiter, so an exit
    // right after start is not missed), start, follow the logs until the daemon ends them at exit, then take
    // the exit code from the wait.
    private static async Task<int> RunAttachedAsync(CommandContext context, string id, bool remove)
    {
        var daemon = context.Daemon;
        using var wait = await daemon.BeginWaitAsync(id, "next-exit", context.Cancel).ConfigureAwait(false);
        if (await TryStartAsync(context, id).ConfigureAwait(false) is int failed) return failed;

        // From here Ctrl-C is forwarded to the container as SIGINT (docker's --sig-proxy) and the CLI keeps
        // streaming until the container exits; a second Ctrl-C ends the CLI (Program.cs).
        using var forward = context.Cancel.Register(() => _ = ForwardInterruptAsync(daemon, id));
        await daemon.StreamLogsAsync(id, new LogsOptions(Follow: true), context.Out, context.Err, CancellationToken.None).ConfigureAwait(false);
        return await ExitCodeAsync(context, id, wait, remove).ConfigureAwait(false);
    }

    /// <summary>The container's exit code from the wait registered before it started; removes it for --rm.</summary>
    private static async Task<int> ExitCodeAsync(CommandContext context, string id, DaemonClient.PendingWait wait, bool remove)
    {
        var result = await wait.ResultAsync(CancellationToken.None).ConfigureAwait(false);
        int code = (int)result.StatusCode;
        if (!string.IsNullOrEmpty(result.Error?.Message))
        {
            context.Error("waiting for the container failed: " + result.Error.Message);
            code = ExitEngineError;
        }
        if (remove) await RemoveQuietlyAsync(context, id).ConfigureAwait(false);
        return code;
    }

    // Returns null when the container started, else the exit code after printing the daemon's message.
    private static async Task<int?> TryStartAsync(CommandContext context, string id)
    {
        try
        {
            await context.Daemon.StartContainerAsync(id, context.Cancel).ConfigureAwait(false);
            return null;
        }
        catch (DaemonException e) when (e.StatusCode != 0)
        {
            context.Error(e.Message);
            // A container whose process could not start is of no use (Docker would leave it "Created" for the user
            // to remove; the issue asks that a failed run leaves nothing): take it away, "already gone" is fine.
            await RemoveQuietlyAsync(context, id).ConfigureAwait(false);
            return ExitCodeForStartError(e.Message);
        }
    }

    private static async Task RemoveQuietlyAsync(CommandContext context, string id)
    {
        try
        {
            await context.Daemon.RemoveContainerAsync(id, force: true, CancellationToken.None).ConfigureAwait(false);
        }
        catch (DaemonException e) when (e.StatusCode == 404)
        {
            // Already gone (the daemon removed it itself).
        }
        catch (DaemonException e)
        {
            context.Error($"could not remove container {id} after it ran (--rm): {e.Message}");
        }
    }

    private static async Task ForwardInterruptAsync(DaemonClient daemon, string id)
    {
        try
        {
            await daemon.KillContainerAsync(id, "SIGINT", CancellationToken.None).ConfigureAwait(false);
        }
        catch (DaemonException)
        {
            // The container may have exited meanwhile; the stream and the wait report what happened.
        }
    }
}
