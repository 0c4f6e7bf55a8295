using System.Runtime.InteropServices;

namespace MyDocker.Engine.Kernel.Nftables;

/// <summary>
/// The libnftables C API (nftables/libnftables.h, libnftables(3)). Debian ships only the versioned
/// <c>libnftables.so.1</c> (no development symlink), so the import names the versioned file.
/// </summary>
internal static partial class LibNftablesNative
{
    private const string Lib = "libnftables.so.1";

    /// <summary>NFT_CTX_DEFAULT: the flags argument of nft_ctx_new.</summary>
    public const uint NFT_CTX_DEFAULT = 0;

    /// <summary>enum nft_output_flags (libnftables.h).</summary>
    public const uint NFT_CTX_OUTPUT_HANDLE = 1 << 3, NFT_CTX_OUTPUT_JSON = 1 << 4;
    /// <summary>nft -t: listings leave out the elements of sets and maps (libnftables.h, nft_output_flags).</summary>
    public const uint NFT_CTX_OUTPUT_TERSE = 1 << 11;

    [LibraryImport(Lib, EntryPoint = "nft_ctx_new")]
    public static partial IntPtr CtxNew(uint flags);

    [LibraryImport(Lib, EntryPoint = "nft_ctx_free")]
    public static partial void CtxFree(IntPtr ctx);

    [LibraryImport(Lib, EntryPoint = "nft_ctx_buffer_output")]
    public static partial int CtxBufferOutput(NftContextHandle ctx);

    [LibraryImport(Lib, EntryPoint = "nft_ctx_buffer_error")]
    public static partial int CtxBufferError(NftContextHandle ctx);

    [LibraryImport(Lib, EntryPoint = "nft_ctx_output_get_flags")]
    public static partial uint CtxOutputGetFlags(NftContextHandle ctx);

    [LibraryImport(Lib, EntryPoint = "nft_ctx_output_set_flags")]
    public static partial void CtxOutputSetFlags(NftContextHandle ctx, uint flags);

    /// <summary>The returned pointers belong to the context and stay valid until the next call on it.</summary>
    [LibraryImport(Lib, EntryPoint = "nft_ctx_get_output_buffer")]
    public static partial IntPtr CtxGetOutputBuffer(NftContextHandle ctx);

    [LibraryImport(Lib, EntryPoint = "nft_ctx_get_error_buffer")]
    public static partial IntPtr CtxGetErrorBuffer(NftContextHandle ctx);

    [LibraryImport(Lib, EntryPoint = "nft_run_cmd_from_buffer", StringMarshalling = StringMarshalling.Utf8)]
    public static partial int RunCmdFromBuffer(NftContextHandle ctx, string buffer);
}

/// <summary>Owns one <c>struct nft_ctx</c>; frees it exactly once.</summary>
internal sealed class NftContextHandle : SafeHandle
{
    public NftContextHandle() : base(IntPtr.Zero, ownsHandle: true) { }

    public override bool IsInvalid => handle == IntPtr.Zero;

    protected override bool ReleaseHandle()
    {
        LibNftablesNative.CtxFree(handle);
        return true;
    }

    public static NftContextHandle Create(uint flags)
    {
        var h = new NftContextHandle();
        h.SetHandle(LibNftablesNative.CtxNew(flags));
        return h;
    }
}
