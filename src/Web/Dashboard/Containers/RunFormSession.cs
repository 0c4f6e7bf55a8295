using MyDocker.Engine;

namespace MyDocker.Web.Dashboard.Containers;

/// <summary>
/// The run form's checks while it is open: what it checks against (images, networks, names taken, host addresses, read
/// from the engine), and the problems of the model as the user types: <see cref="RunForm.Validate"/> at once, then the
/// host ports against the engine (containers' ports and host processes' sockets). The engine is asked about host ports
/// again only when the ports asked for changed or <see cref="LoadAsync"/> read the engine again: a taken port costs a
/// walk of /proc, not to be repeated per keystroke in another field.
/// Not thread-safe: the form calls it from its dispatcher, where calls interleave at their awaits; the answer of the
/// latest <see cref="ValidateAsync"/> wins over a slower earlier one.
/// </summary>
public sealed class RunFormSession(IDashboardEngine engine)
{
    private HashSet<string> _taken = [];
    private int _version;
    /// <summary>The host ports last asked of the engine, and its answers.</summary>
    private List<HostPortQuery>? _checked;
    private List<RunProblem> _conflicts = [];

    public IReadOnlyList<ImageRow> Images { get; private set; } = [];
    public IReadOnlyList<NetworkRow> Networks { get; private set; } = [];
    /// <summary>The host's addresses a port can be published on, besides 127.0.0.1 and 0.0.0.0.</summary>
    public IReadOnlyList<string> HostAddresses { get; private set; } = [];
    /// <summary>True once a read succeeded: until then no host port is checked and the form cannot run.</summary>
    public bool Loaded { get; private set; }
    public string? LoadError { get; private set; }
    /// <summary>The problems found by the latest <see cref="ValidateAsync"/> (the form's own, then the host ports').</summary>
    public IReadOnlyList<RunProblem> Problems { get; private set; } = [];

    /// <summary>Reads what the checks compare against; the next <see cref="ValidateAsync"/> asks about host ports again.</summary>
    public async Task LoadAsync()
    {
        try
        {
            Images = await engine.ListImagesAsync();
            Networks = await engine.ListNetworksAsync();
            _taken = (await engine.ListContainersAsync()).Select(c => c.Name).ToHashSet();
            HostAddresses = await engine.ListHostAddressesAsync();
            _checked = null;
            Loaded = true;
            LoadError = null;
        }
        catch (Exception e) { LoadError = $"Could not read the engine's images, networks and containers: {e.Message}"; }
    }

    /// <summary>Checks <paramref name="model"/>; <see cref="Problems"/> holds the answer once this returns, unless a later
    /// call started meanwhile (then that call's answer is kept).</summary>
    public async Task ValidateAsync(RunFormModel model)
    {
        int version = ++_version;
        var problems = RunForm.Validate(model, new RunForm.Context(Images, _taken, Networks));
        Problems = problems;
        var queries = RunForm.HostPortQueries(model, problems);
        if (queries.Count == 0 || !Loaded) return;
        if (_checked is null || !_checked.SequenceEqual(queries))
        {
            var conflicts = new List<RunProblem>();
            try
            {
                foreach (var q in queries)
                    if (!conflicts.Any(c => c.Row == q.Row) && await engine.CheckHostPortAsync(q.Protocol, q.HostIp, q.First, q.Last) is { } conflict)
                        conflicts.Add(new(RunField.HostPort, conflict.Why + "; choose another host port" + (conflict.NextFree is int n ? $" ({n} is free)" : ""), q.Row,
                            q.First == q.Last && model.Ports[q.Row].HostPort.Trim() == q.First.ToString() ? conflict.NextFree : null));
            }
            catch (EngineException e) { conflicts.Add(new(RunField.Ports, "the engine could not check the host ports: " + e.Message)); }
            if (version != _version) return;
            (_checked, _conflicts) = (queries, conflicts);
        }
        if (version == _version) Problems = [.. problems, .. _conflicts];
    }
}
