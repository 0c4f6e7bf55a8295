using System.Net.Sockets;
using Microsoft.AspNetCore.Connections.Features;
using MyDocker.Engine.Kernel;

namespace MyDocker.Web.Hosting;

/// <summary>
/// Notices that the client of a long request on the unix socket (exec, attach) has gone for good. RequestAborted cannot
/// say so: a client with no stdin to send half-closes at once (the docker CLI does), and <see cref="HalfClose"/> holds
/// Kestrel's view of that end of input back until the request is done; writes into a closed connection are dropped
/// silently, and a silent process writes nothing anyway. So the connection's socket is polled: a peer's close shows as
/// POLLHUP, which a half-close never sets (see <see cref="UnixSocketPeer.HasClosed"/>).
/// </summary>
public sealed class ClientGone : IDisposable
{
    /// <summary>The bound on how long an abandoned exec or attach holds its process, pipes and file handles.</summary>
    public static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(1);

    private readonly CancellationTokenSource _gone;
    private readonly CancellationTokenSource _done = new();

    private ClientGone(CancellationToken stopping) => _gone = CancellationTokenSource.CreateLinkedTokenSource(stopping);

    /// <summary>Cancelled when the client has closed its connection, or when the daemon stops.</summary>
    public CancellationToken Token => _gone.Token;

    /// <summary>Starts watching the request's connection; dispose to stop (at the end of the request).</summary>
    public static ClientGone Watch(HttpContext ctx, CancellationToken stopping)
    {
        var watch = new ClientGone(stopping);
        if (ctx.Features.Get<IConnectionSocketFeature>()?.Socket is { AddressFamily: AddressFamily.Unix } socket)
            _ = watch.PollAsync(socket);
        return watch;
    }

    private async Task PollAsync(Socket socket)
    {
        try
        {
            using var timer = new PeriodicTimer(PollInterval);
            while (await timer.WaitForNextTickAsync(_done.Token))
                if (UnixSocketPeer.HasClosed(socket.SafeHandle))
                {
                    _gone.Cancel();
                    return;
                }
        }
        catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException) { }
    }

    public void Dispose()
    {
        _done.Cancel();
        _gone.Dispose();
    }
}
