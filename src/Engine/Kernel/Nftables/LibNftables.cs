using System.Runtime.InteropServices;
using static MyDocker.Engine.Kernel.Nftables.LibNftablesNative;

namespace MyDocker.Engine.Kernel.Nftables;

/// <summary>
/// <see cref="INftExecutor"/> over libnftables, in-process (no <c>nft</c> process per change).
/// <para>The context opens its netlink socket when it is created, so it stays bound to the network namespace of
/// the thread that constructed it: create it inside the target netns (e.g. on a <c>NetnsThread</c>), then use it
/// from any thread.</para>
/// <para>A <c>struct nft_ctx</c> is not thread-safe (it holds the parser state, the output buffers and the cache),
/// so every call runs under one lock; the output flags are switched per call under the same lock.</para>
/// <para>Quirk of libnftables 1.0.6 (Debian 12): for a multi-line buffer, the error text quotes the buffer's first
/// line (erec_print takes the start of an INDESC_BUFFER) with the caret columns of the line that failed, so
/// <see cref="NftException.Commands"/> is kept for the real context.</para>
/// <para>File descriptors: libnftables waits for netlink replies with select(2) (src/mnl.c), and glibc's fortified
/// FD_SET aborts the whole process for an fd of 1024 or more ("bit out of range 0 - FD_SETSIZE on fd_set" — seen in
/// our test host when it leaked pipes). The context opens its netlink socket in nft_ctx_new and keeps it (checked:
/// one fd more after nft_ctx_new, none after a command), so create the context early, while fd numbers are low:
/// the daemon does, at start-up.</para>
/// </summary>
public sealed class LibNftables : INftExecutor, IDisposable
{
    private readonly Lock _gate = new();
    private readonly NftContextHandle _ctx;
    private readonly uint _baseFlags;

    public LibNftables()
    {
        _ctx = NftContextHandle.Create(NFT_CTX_DEFAULT);
        if (_ctx.IsInvalid)
            throw new InvalidOperationException("nft_ctx_new failed: libnftables could not create a context (out of memory or no netlink socket).");
        // Buffered output/error: otherwise libnftables writes to the process's stdout/stderr.
        if (CtxBufferOutput(_ctx) != 0 || CtxBufferError(_ctx) != 0)
        {
            _ctx.Dispose();
            throw new InvalidOperationException("nft_ctx_buffer_output/nft_ctx_buffer_error failed.");
        }
        _baseFlags = CtxOutputGetFlags(_ctx) & ~(NFT_CTX_OUTPUT_JSON | NFT_CTX_OUTPUT_TERSE);
    }

    public string Run(string commands, bool json = false, bool terse = false)
    {
        ArgumentNullException.ThrowIfNull(commands);
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_ctx.IsClosed, this);
            CtxOutputSetFlags(_ctx, _baseFlags | (json ? NFT_CTX_OUTPUT_JSON : 0) | (terse ? NFT_CTX_OUTPUT_TERSE : 0));
            int rc = RunCmdFromBuffer(_ctx, commands);
            // Both buffers are read after every run: reading one rewinds it, so nothing from this call leaks into
            // the next one (libnftables.c get_ctx_buffer).
            string output = Take(CtxGetOutputBuffer(_ctx));
            string error = Take(CtxGetErrorBuffer(_ctx));
            if (rc != 0)
                throw new NftException(error.Length > 0 ? error.TrimEnd() : $"nft_run_cmd_from_buffer returned {rc} without an error message", commands);
            return output;
        }
    }

    private static string Take(IntPtr p) => p == IntPtr.Zero ? "" : Marshal.PtrToStringUTF8(p) ?? "";

    public void Dispose()
    {
        lock (_gate) _ctx.Dispose();
    }
}
