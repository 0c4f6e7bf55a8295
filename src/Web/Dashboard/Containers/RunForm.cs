using MyDocker.Engine;
using MyDocker.Engine.Containers;
using MyDocker.Engine.Ports;
using MyDocker.Shared.Ports;
using MyDocker.Shared.Run;

namespace MyDocker.Web.Dashboard.Containers;

public enum RunField { Image, Name, Command, Env, Memory, Cpus, Ports, HostIp, HostPort, ContainerPort }

/// <summary>The run wizard's values, as typed.</summary>
public sealed class RunFormModel
{
    public string Image { get; set; } = "";
    public string Name { get; set; } = "";
    public string Command { get; set; } = "";
    /// <summary>Empty: the default network ("bridge", made on first use).</summary>
    public string Network { get; set; } = "";
    public List<EnvEntry> Env { get; } = [];
    public string Memory { get; set; } = "";
    public string Cpus { get; set; } = "";
    public List<PortEntry> Ports { get; } = [];
}

/// <summary>One port row: what <c>-p HOSTIP:HOSTPORT:CONTAINERPORT/PROTOCOL</c> says, field by field. An empty host port
/// lets the engine pick a free one; either port may be a range as in <c>-p</c>.</summary>
public sealed class PortEntry
{
    /// <summary>127.0.0.1 by default: a port published on every address (0.0.0.0) is reachable from other machines.</summary>
    public string HostIp { get; set; } = Loopback;
    public string HostPort { get; set; } = "";
    public string ContainerPort { get; set; } = "";
    public string Protocol { get; set; } = PublishSpec.Tcp;

    public const string Loopback = "127.0.0.1";
    public const string EveryAddress = PublishedPort.AnyAddress;

    /// <summary>The row as one <c>-p</c> value, in its shortest form (no 0.0.0.0, no /tcp): 127.0.0.1:8080:80, 8080:80,
    /// 127.0.0.1::80, 80, 53:53/udp.</summary>
    public string ToPublishValue()
    {
        string container = ContainerPort.Trim() + (Protocol == PublishSpec.Tcp ? "" : "/" + Protocol);
        string host = HostPort.Trim();
        string ip = HostIp == EveryAddress ? "" : HostIp;
        return ip.Length > 0 ? $"{ip}:{host}:{container}" : host.Length > 0 ? $"{host}:{container}" : container;
    }
}

/// <summary>One environment row, NAME=VALUE.</summary>
public sealed class EnvEntry
{
    public string Text { get; set; } = "";
}

/// <summary>A problem with one field (for Env and the port fields, which row: 0-based). <paramref name="FreePort"/>: a host
/// port the engine could take instead, which the wizard offers.</summary>
public sealed record RunProblem(RunField Field, string Message, int Row = -1, int? FreePort = null);

/// <summary>A host port (or range) one port row asks for, to be checked against the engine's reservations and the host's
/// sockets.</summary>
public sealed record HostPortQuery(int Row, string Protocol, string HostIp, int First, int Last);

/// <summary>
/// The wizard's checks, as the CLI makes them: the value syntax of <see cref="RunValues"/> (shared with the CLI's
/// <c>run</c>), then the engine's own limits (<see cref="ContainerPlanner.Validate"/>), plus what the wizard knows that the
/// CLI does not: the local images, the names taken, duplicate variables. Pure: runs on every keystroke.
/// </summary>
public static class RunForm
{
    /// <summary>What the wizard knows of the engine: local images, container names in use, the networks.</summary>
    public sealed record Context(IReadOnlyList<ImageRow> Images, IReadOnlyCollection<string> TakenNames, IReadOnlyList<NetworkRow>? Networks = null);

    public static List<RunProblem> Validate(RunFormModel form, Context context)
    {
        var problems = new List<RunProblem>();
        var image = context.Images.FirstOrDefault(i => i.Reference == form.Image.Trim() || i.Tags.Contains(form.Image.Trim()) || i.Id == form.Image.Trim());
        if (form.Image.Trim().Length == 0)
            problems.Add(new(RunField.Image, context.Images.Count == 0
                ? "there are no local images; load one first (mydocker load -i FILE.tar)"
                : "choose an image"));
        else if (image is null)
            problems.Add(new(RunField.Image, $"image '{form.Image.Trim()}' is not a local image; choose one from the list"));

        if (form.Name.Trim() is { Length: > 0 } name)
        {
            try
            {
                RunValues.ParseName(name);
                if (context.TakenNames.Contains(name.TrimStart('/')))
                    problems.Add(new(RunField.Name, $"container name '{name.TrimStart('/')}' is already in use; choose another, or remove that container first"));
            }
            catch (FormatException e) { problems.Add(new(RunField.Name, e.Message)); }
        }

        try
        {
            var words = ShellWords.Split(form.Command);
            if (words.Count == 0 && image is { DefaultCommand.Length: 0 })
                problems.Add(new(RunField.Command, $"image '{image.Reference}' has no default command; give one, e.g. sleep 3600"));
        }
        catch (FormatException e) { problems.Add(new(RunField.Command, "the command is not valid: " + e.Message)); }

        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < form.Env.Count; i++)
        {
            string text = form.Env[i].Text;
            if (text.Length == 0) continue; // an empty row is left out
            if (RunValues.EnvProblem(text, allowBareName: false) is { } p) { problems.Add(new(RunField.Env, p, i)); continue; }
            string key = text[..text.IndexOf('=')];
            if (seen.TryGetValue(key, out int first))
                problems.Add(new(RunField.Env, $"{key} is already set in variable {first + 1}; remove one of them", i));
            else seen[key] = i;
        }

        if (form.Memory.Trim() is { Length: > 0 } memory)
        {
            try { EngineCheck(RunField.Memory, new ContainerSpec { MemoryBytes = RunValues.ParseMemory(memory) }, problems); }
            catch (FormatException e) { problems.Add(new(RunField.Memory, e.Message)); }
        }
        if (form.Cpus.Trim() is { Length: > 0 } cpus)
        {
            try { EngineCheck(RunField.Cpus, new ContainerSpec { NanoCpus = RunValues.ParseCpus(cpus) }, problems); }
            catch (FormatException e) { problems.Add(new(RunField.Cpus, e.Message)); }
        }
        ValidatePorts(form, context, problems);
        return problems;
    }

    /// <summary>Each row's syntax and ranges (<see cref="PublishSpec"/>'s rules, shown under the field at fault), then
    /// rows that ask for the same host port (the kernel's rule: same protocol and port, and one address covers the
    /// other), then what the network allows.</summary>
    private static void ValidatePorts(RunFormModel form, Context context, List<RunProblem> problems)
    {
        var fixedPorts = new List<(int Row, PublishedPort Port)>();
        for (int i = 0; i < form.Ports.Count; i++)
        {
            var row = form.Ports[i];
            if (Publications(row, out var problem) is not { } publications)
            {
                problems.Add(problem! with { Row = i });
                continue;
            }
            foreach (var p in publications.Where(p => p.HostPortFirst != 0 && p.HostPortFirst == p.HostPortLast))
            {
                var port = new PublishedPort(p.Protocol, row.HostIp, p.HostPortFirst, p.ContainerPort);
                int at = fixedPorts.FindIndex(f => f.Port.CollidesWith(port.Protocol, port.HostIp, port.HostPort));
                if (at >= 0)
                {
                    var (earlier, other) = fixedPorts[at];
                    problems.Add(new(RunField.HostPort,
                        $"{port.HostPort}/{port.Protocol} on {(other.HostIp == port.HostIp ? port.HostIp : PublishedPort.AnyAddress)} is already published by port {earlier + 1}; give each port a different host port", i));
                    break;
                }
                fixedPorts.Add((i, port));
            }
        }
        string network = Blank(form.Network) ?? "bridge";
        if (form.Ports.Count > 0 && context.Networks?.FirstOrDefault(n => n.Name == network) is { Internal: true })
            problems.Add(new(RunField.Ports,
                $"network '{network}' is internal: nothing outside it can reach its containers, so they cannot publish ports; remove the ports or choose another network"));
    }

    /// <summary>The row's publications, made from its fields (no <c>-p</c> text in between), or null with the problem (its
    /// Row unset) when a field is not valid. The address is the row's own: 0.0.0.0 for every address, as the engine
    /// takes it.</summary>
    private static IReadOnlyList<PortRequest>? Publications(PortEntry row, out RunProblem? problem)
    {
        problem = null;
        string container = row.ContainerPort.Trim(), host = row.HostPort.Trim();
        int cFirst = 0, cLast = 0, hFirst = 0, hLast = 0;
        if (container.Length == 0)
            problem = new(RunField.ContainerPort, "give the port the container listens on, e.g. 80, or remove this port");
        else if (PublishSpec.RangeProblem(container, "container", out cFirst, out cLast) is { } c)
            problem = new(RunField.ContainerPort, c);
        else if (host.Length > 0 && (PublishSpec.RangeProblem(host, "host", out hFirst, out hLast)
                                     ?? PublishSpec.LengthProblem(host, hLast - hFirst + 1, container, cLast - cFirst + 1)) is { } h)
            problem = new(RunField.HostPort, h);
        else if (!PublishSpec.IsIPv4(row.HostIp))
            problem = new(RunField.HostIp, $"host address '{row.HostIp}' is not an IPv4 address; choose one from the list");
        else if (row.Protocol is not (PublishSpec.Tcp or PublishSpec.Udp))
            problem = new(RunField.Ports, $"protocol '{row.Protocol}' is unknown; choose tcp or udp");
        return problem is null ? PublishSpec.Requests(row.Protocol, row.HostIp, hFirst, hLast, cFirst, cLast) : null;
    }

    /// <summary>The host ports to ask the engine about: every row that is valid so far and names a host port (an empty
    /// one is the engine's pick, always free). A container range asks for each of its host ports.</summary>
    public static List<HostPortQuery> HostPortQueries(RunFormModel form, IReadOnlyList<RunProblem> problems)
    {
        var queries = new List<HostPortQuery>();
        for (int i = 0; i < form.Ports.Count; i++)
        {
            if (problems.Any(p => p.Row == i && p.Field is RunField.HostIp or RunField.HostPort or RunField.ContainerPort or RunField.Ports)) continue;
            if (Publications(form.Ports[i], out _) is not { } publications) continue;
            queries.AddRange(publications.Where(p => p.HostPortFirst != 0)
                .Select(p => new HostPortQuery(i, p.Protocol, form.Ports[i].HostIp, p.HostPortFirst, p.HostPortLast)));
        }
        return queries;
    }

    /// <summary>The warning shown before a row publishes on every address.</summary>
    public static string? Warning(PortEntry row) => row.HostIp == PortEntry.EveryAddress
        ? "0.0.0.0 publishes on every address of this host: other machines on its networks can reach this port. Choose 127.0.0.1 to keep it on this host."
        : null;

    /// <summary>The engine's limits for one field (minimum memory, no more CPUs than the host has), in its words.</summary>
    private static void EngineCheck(RunField field, ContainerSpec spec, List<RunProblem> problems)
    {
        try { ContainerPlanner.Validate(new ContainerCreateSpec { Image = "-", Spec = spec }, _ => true); }
        catch (EngineException e) { problems.Add(new(field, e.Message)); }
    }

    /// <summary>The create request; call only when <see cref="Validate"/> found nothing.</summary>
    public static ContainerCreateSpec ToSpec(RunFormModel form)
    {
        var cmd = ShellWords.Split(form.Command);
        return new ContainerCreateSpec
        {
            Name = Blank(form.Name)?.TrimStart('/'),
            Image = form.Image.Trim(),
            Network = Blank(form.Network),
            Spec = new ContainerSpec
            {
                Cmd = cmd.Count > 0 ? cmd : null,
                Env = form.Env.Select(e => e.Text).Where(t => t.Length > 0).ToList(),
                MemoryBytes = Blank(form.Memory) is { } m ? RunValues.ParseMemory(m) : null,
                NanoCpus = Blank(form.Cpus) is { } c ? RunValues.ParseCpus(c) : null,
            },
            Publish = [.. form.Ports.SelectMany(p => Publications(p, out _) ?? throw new InvalidOperationException("the run form has a port row that is not valid"))],
        };
    }

    /// <summary>The equivalent <c>mydocker run -d</c> line, each value quoted for a POSIX shell. A command that does not
    /// parse yet is appended as typed.</summary>
    public static string ToCli(RunFormModel form)
    {
        var words = new List<string> { "mydocker", "run", "-d" };
        if (Blank(form.Name) is { } name) words.AddRange(["--name", name]);
        if (Blank(form.Network) is { } network) words.AddRange(["--network", network]);
        foreach (var e in form.Env.Where(e => e.Text.Length > 0)) words.AddRange(["-e", e.Text]);
        if (Blank(form.Memory) is { } memory) words.AddRange(["-m", memory]);
        if (Blank(form.Cpus) is { } cpus) words.AddRange(["--cpus", cpus]);
        foreach (var p in form.Ports) words.AddRange(["-p", p.ToPublishValue()]);
        words.Add(Blank(form.Image) ?? "IMAGE");
        string line = ShellWords.Join(words);
        if (form.Command.Trim().Length == 0) return line;
        try { return line + " " + ShellWords.Join(ShellWords.Split(form.Command)); }
        catch (FormatException) { return line + " " + form.Command.Trim(); }
    }

    private static string? Blank(string s) => string.IsNullOrWhiteSpace(s) ? null : s.Trim();
}
