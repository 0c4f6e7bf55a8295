using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;

namespace MyDocker.Engine.Networks.Dns;

/// <summary>
/// The engine's side of mydocker-resolver's control socket: one connection, one JSON line per request, one reply
/// line each (src/Resolver's control protocol). Every (re)connection begins with the database's whole table
/// ("replace"), so a resolver that was respawned, or that a previous daemon fed, holds exactly the engine's records
/// before the first change is sent; a broken connection is retried once that way. Requests are serialised: the
/// resolver applies them in the order the engine decided them.
/// </summary>
public sealed class ResolverClient(ResolverProcess process, ResolverTable table, ILogger<ResolverClient> logger) : INameRegistry, IDisposable
{
    private static readonly TimeSpan ReplyTimeout = TimeSpan.FromSeconds(3);
    private readonly SemaphoreSlim _gate = new(1, 1);
    private Socket? _socket;
    private NetworkStream? _stream;
    private StreamReader? _reader;

    public Task PutAsync(ContainerNames names, CancellationToken ct) =>
        RequestAsync(ResolverRequests.Put(names), connectIfDown: true, ct);

    public Task RemoveAsync(string containerId, CancellationToken ct) =>
        RequestAsync(ResolverRequests.Remove(containerId), connectIfDown: false, ct);

    public async Task<string?> SyncAsync(CancellationToken ct)
    {
        await _gate.WaitAsync(ct);
        try
        {
            Drop();
            var names = await table.ReadAsync(ct);
            if (names.Count == 0 && process.LivePid() is null) return null;
            bool started = process.EnsureRunning();
            await ConnectAsync(names, ct);
            return started ? $"name resolver started (pid {process.LivePid()}) with the names of {names.Count} container(s)" : null;
        }
        finally { _gate.Release(); }
    }

    /// <summary>
    /// Watches the resolver for as long as the daemon runs: if it dies while the engine has names for it, it is started
    /// again and given the table (it answers from its snapshot in between). Polls once a second (kill(pid, 0) and /proc).
    /// </summary>
    public async Task RunWatchAsync(CancellationToken ct)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1));
        try
        {
            while (await timer.WaitForNextTickAsync(ct))
            {
                if (_socket is null || process.LivePid() is not null) continue;
                logger.LogWarning("The name resolver is gone; starting it again");
                try { await SyncAsync(ct); }
                catch (Exception e) when (e is not OperationCanceledException) { logger.LogError(e, "Restarting the name resolver failed"); }
            }
        }
        catch (OperationCanceledException) { }
    }

    private async Task RequestAsync(string line, bool connectIfDown, CancellationToken ct)
    {
        await _gate.WaitAsync(ct);
        try
        {
            for (var attempt = 0; ; attempt++)
            {
                try
                {
                    if (_socket is null)
                    {
                        // No resolver and nothing to add: it starts from the database's table, which no longer holds this.
                        if (!connectIfDown && process.LivePid() is null) return;
                        process.EnsureRunning();
                        await ConnectAsync(await table.ReadAsync(ct), ct);
                    }
                    await ExchangeAsync(line, ct);
                    return;
                }
                catch (Exception e) when (e is IOException or SocketException or TimeoutException && attempt == 0)
                {
                    logger.LogWarning("The name resolver's control connection failed ({Message}); connecting again", e.Message);
                    Drop();
                }
                catch (Exception e) when (e is IOException or SocketException or TimeoutException)
                {
                    Drop();
                    throw new EngineException(ErrorKind.Internal,
                        $"the name resolver does not answer ({e.Message}); see {process.LogPath}");
                }
            }
        }
        finally { _gate.Release(); }
    }

    private async Task ConnectAsync(IReadOnlyList<ContainerNames> names, CancellationToken ct)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try { await socket.ConnectAsync(new UnixDomainSocketEndPoint(process.ControlPath), ct); }
        catch
        {
            socket.Dispose();
            throw;
        }
        _socket = socket;
        _stream = new NetworkStream(socket, ownsSocket: true);
        _reader = new StreamReader(_stream, Encoding.UTF8);
        await ExchangeAsync(ResolverRequests.Replace(names), ct);
    }

    private async Task ExchangeAsync(string line, CancellationToken ct)
    {
        var stream = _stream ?? throw new IOException("not connected");
        await stream.WriteAsync(Encoding.UTF8.GetBytes(line + "\n"), ct);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(ReplyTimeout);
        string? reply;
        try { reply = await _reader!.ReadLineAsync(timeout.Token); }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            throw new TimeoutException($"no reply within {ReplyTimeout.TotalSeconds:0} s");
        }
        if (reply is null) throw new IOException("the resolver closed its control connection");
        var node = JsonNode.Parse(reply);
        if (node?["ok"]?.GetValue<bool>() == true) return;
        // A refusal is the engine's bug (it validates what it sends), not the resolver's: keep the connection.
        throw new EngineException(ErrorKind.Internal, $"the name resolver refused a change: {node?["error"]?.GetValue<string>() ?? reply}");
    }

    private void Drop()
    {
        _reader?.Dispose();
        _stream?.Dispose();
        _socket?.Dispose();
        (_reader, _stream, _socket) = (null, null, null);
    }

    public void Dispose()
    {
        Drop();
        _gate.Dispose();
    }
}

/// <summary>The control protocol's requests (src/Resolver's control protocol), one JSON object per line.</summary>
internal static class ResolverRequests
{
    public static string Put(ContainerNames n)
    {
        var o = Entry(n);
        o["op"] = "put";
        return o.ToJsonString();
    }

    public static string Remove(string containerId) => new JsonObject { ["op"] = "remove", ["container"] = containerId }.ToJsonString();

    public static string Replace(IReadOnlyList<ContainerNames> all) =>
        new JsonObject { ["op"] = "replace", ["containers"] = new JsonArray([.. all.Select(Entry)]) }.ToJsonString();

    private static JsonObject Entry(ContainerNames n) => new()
    {
        ["container"] = n.ContainerId,
        ["endpoints"] = new JsonArray([.. n.Endpoints.Select(e => (JsonNode)new JsonObject
        {
            ["network"] = e.NetworkId,
            ["ip"] = e.Ip.ToString(),
            ["names"] = new JsonArray([.. e.Names.Select(x => (JsonNode)JsonValue.Create(x))]),
            ["internal"] = e.Internal,
        })]),
        ["dns"] = new JsonArray([.. n.Dns.Select(d => (JsonNode)JsonValue.Create(d.ToString()))]),
        ["hosts"] = new JsonArray([.. n.Hosts.Select(h => (JsonNode)new JsonObject { ["name"] = h.Name, ["ip"] = h.Ip.ToString() })]),
    };
}
