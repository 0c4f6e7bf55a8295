using MyDocker.Engine.Containers.Runtime;

namespace MyDocker.Engine.Containers;

public sealed partial class ContainerService
{
    public async Task<ExecSession> CreateExecAsync(string idOrName, ExecConfig config, CancellationToken ct) =>
        processes.Execs.Create(await GetAsync(idOrName, ct), config);

    public ExecSession GetExec(string execId) => processes.Execs.Get(execId);

    /// <summary>Runs the exec instance in its container; the caller pumps its streams. Its exit code is kept on the session.</summary>
    public async Task<ExecProcess> StartExecAsync(string execId, CancellationToken ct)
    {
        var session = processes.Execs.Claim(execId);
        var view = await GetAsync(session.ContainerId, ct);
        return await processes.Execs.StartAsync(session, view, resources.Paths(view.Id), ct);
    }
}
