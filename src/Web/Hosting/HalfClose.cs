using System.IO.Pipelines;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace MyDocker.Web.Hosting;

/// <summary>
/// Lets an upgraded connection (Docker's attach) outlive the client's half-close. The docker CLI shuts down its side
/// of an attach connection as soon as it has no stdin to send (moby client/hijack.go, CloseWrite) and then reads the
/// container's output until it exits; Kestrel takes that FIN for the end of the connection (the socket transport fires
/// ConnectionClosed when its receive loop ends) and aborts the response, after which writes are silently dropped.
/// A request that asked for it (<see cref="Hold"/>) hides the end of input — both the closed token and the completed
/// input — from Kestrel until the request releases it.
/// </summary>
public static class HalfClose
{
    private const string HoldKey = "mydocker.hold-input-end";

    /// <summary>Connection middleware: wraps the transport's input so a held end of input waits.</summary>
    public static ListenOptions UseHalfCloseHold(this ListenOptions listen)
    {
        listen.Use(next => connection =>
        {
            connection.Transport = new HoldingPipe(connection.Transport, connection.Items);
            return next(new HoldingConnection(connection));
        });
        return listen;
    }

    /// <summary>Until the result is disposed, the client's half-close does not end this request's connection; reads
    /// of the request's input then wait instead of ending, and <see cref="Held.InputEnded"/> says the client is done
    /// sending.</summary>
    public static Held Hold(HttpContext http)
    {
        var items = http.Features.Get<IConnectionItemsFeature>()?.Items
                    ?? throw new InvalidOperationException("the connection has no items feature");
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var ended = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        items[HoldKey] = release;
        items[InputEndedKey] = ended;
        return new Held(release, ended.Task);
    }

    private const string InputEndedKey = "mydocker.input-ended";

    public sealed class Held(TaskCompletionSource release, Task inputEnded) : IDisposable
    {
        /// <summary>Completes when the client has half-closed (no more request bytes will come).</summary>
        public Task InputEnded => inputEnded;
        public void Dispose() => release.TrySetResult();
    }

    private static Task? HeldTask(IDictionary<object, object?> items) =>
        items.TryGetValue(HoldKey, out var o) && o is TaskCompletionSource t ? t.Task : null;

    /// <summary>The connection as Kestrel's HTTP layer sees it: its ConnectionClosed fires when the transport's does,
    /// or, while a request holds the connection, when that request lets go.</summary>
    private sealed class HoldingConnection : ConnectionContext
    {
        private readonly ConnectionContext _inner;
        private readonly CancellationTokenSource _closed = new();

        public HoldingConnection(ConnectionContext inner)
        {
            _inner = inner;
            inner.ConnectionClosed.Register(() =>
            {
                if (HeldTask(inner.Items) is { IsCompleted: false } held) held.ContinueWith(_ => _closed.Cancel(), TaskScheduler.Default);
                else _closed.Cancel();
            });
        }

        public override CancellationToken ConnectionClosed { get => _closed.Token; set => throw new NotSupportedException(); }
        public override string ConnectionId { get => _inner.ConnectionId; set => _inner.ConnectionId = value; }
        public override IFeatureCollection Features => _inner.Features;
        public override IDictionary<object, object?> Items { get => _inner.Items; set => _inner.Items = value; }
        public override IDuplexPipe Transport { get => _inner.Transport; set => _inner.Transport = value; }
        public override System.Net.EndPoint? LocalEndPoint { get => _inner.LocalEndPoint; set => _inner.LocalEndPoint = value; }
        public override System.Net.EndPoint? RemoteEndPoint { get => _inner.RemoteEndPoint; set => _inner.RemoteEndPoint = value; }
        public override void Abort(ConnectionAbortedException abortReason) => _inner.Abort(abortReason);
        public override void Abort() => _inner.Abort();

        public override async ValueTask DisposeAsync()
        {
            await _inner.DisposeAsync();
            _closed.Dispose();
        }
    }

    private sealed class HoldingPipe(IDuplexPipe inner, IDictionary<object, object?> items) : IDuplexPipe
    {
        public PipeReader Input { get; } = new HoldingReader(inner.Input, items);
        public PipeWriter Output => inner.Output;
    }

    private sealed class HoldingReader(PipeReader inner, IDictionary<object, object?> items) : PipeReader
    {
        private Task? Held => HeldTask(items);

        public override async ValueTask<ReadResult> ReadAsync(CancellationToken cancellationToken = default)
        {
            var result = await inner.ReadAsync(cancellationToken);
            if (result.IsCompleted && result.Buffer.IsEmpty && Held is { IsCompleted: false } held)
            {
                if (items.TryGetValue(InputEndedKey, out var e) && e is TaskCompletionSource ended) ended.TrySetResult();
                try { await held.WaitAsync(cancellationToken); }
                catch (OperationCanceledException) { return new ReadResult(result.Buffer, isCanceled: true, isCompleted: false); }
            }
            return result;
        }

        public override bool TryRead(out ReadResult result)
        {
            if (!inner.TryRead(out result)) return false;
            if (result.IsCompleted && result.Buffer.IsEmpty && Held is { IsCompleted: false })
            {
                inner.AdvanceTo(result.Buffer.Start);
                return false;
            }
            return true;
        }

        public override void AdvanceTo(SequencePosition consumed) => inner.AdvanceTo(consumed);
        public override void AdvanceTo(SequencePosition consumed, SequencePosition examined) => inner.AdvanceTo(consumed, examined);
        public override void CancelPendingRead() => inner.CancelPendingRead();
        public override void Complete(Exception? exception = null) => inner.Complete(exception);
    }
}
