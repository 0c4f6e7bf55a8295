namespace MyDocker.Engine.Networks.Dns;

/// <summary>
/// Where the engine publishes the names its containers answer to. Each call returns once the change is answered
/// (the resolver acknowledges after it publishes the change), so a name resolves the moment `run`/`start` returns and
/// stops the moment `stop`/`rm` returns. Changes are sent only after the database holds them: a whole-table
/// <see cref="SyncAsync"/> read from the database then never undoes a newer change.
/// </summary>
public interface INameRegistry
{
    /// <summary>Replaces what the resolver knows about this container.</summary>
    Task PutAsync(ContainerNames names, CancellationToken ct);

    /// <summary>Forgets the container; nothing to do when no resolver runs (it starts from the database's table).</summary>
    Task RemoveAsync(string containerId, CancellationToken ct);

    /// <summary>Sends the database's whole table (starting the resolver when there is something to answer). Returns a
    /// line for the reconcile report when the resolver had to be started, else null.</summary>
    Task<string?> SyncAsync(CancellationToken ct);
}
