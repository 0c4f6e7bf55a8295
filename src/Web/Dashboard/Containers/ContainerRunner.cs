using MyDocker.Engine;
using MyDocker.Engine.Containers;

namespace MyDocker.Web.Dashboard.Containers;

/// <summary>The run wizard's submit: create, then start; if the start fails the container is removed again, so a failed
/// run leaves nothing behind (create itself is transactional in the engine).</summary>
public static class ContainerRunner
{
    public static async Task<ContainerRow> RunAsync(IDashboardEngine engine, ContainerCreateSpec spec, CancellationToken ct = default)
    {
        var created = await engine.CreateContainerAsync(spec, ct);
        try
        {
            await engine.StartContainerAsync(created.Id, ct);
            return created;
        }
        catch (Exception startError) when (startError is not OperationCanceledException)
        {
            try { await engine.RemoveContainerAsync(created.Id, force: true, CancellationToken.None); }
            catch (Exception removeError)
            {
                throw new EngineException(ErrorKind.Internal,
                    $"the container could not start: {Reason(startError)}; removing it failed too, remove it by hand (mydocker rm -f {created.Name}): {removeError.Message}", startError);
            }
            throw new EngineException(startError is EngineException ee ? ee.Kind : ErrorKind.Internal,
                $"the container could not start: {Reason(startError)}. It was removed again; nothing is left behind.", startError);
        }
    }

    private static string Reason(Exception e) => e is EngineException ? e.Message : $"the engine failed: {e.Message}";
}
