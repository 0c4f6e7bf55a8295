namespace MyDocker.Engine.Kernel;

/// <summary>A system call or kernel request failed; <see cref="Errno"/> is the positive errno value.</summary>
/// <remarks>Build one with <see cref="FromErrno"/>: the errno values callers branch on get their own subclass
/// (<see cref="KernelNotFoundException"/>, <see cref="KernelExistsException"/>), so a call site catches a type
/// instead of comparing numbers, in the style of dotnet/runtime's <c>Interop.GetExceptionForIoErrno</c>
/// (src/libraries/Common/src/Interop/Unix/Interop.IOErrors.cs). Every other errno stays a plain KernelException.</remarks>
public class KernelException : Exception
{
    public const int ENOENT = 2, EEXIST = 17, ENODEV = 19, EINVAL = 22, EBUSY = 16, EPERM = 1, EADDRNOTAVAIL = 99, ESRCH = 3;

    /// <summary>Not public: a fake that threw the base type for ENOENT would slip past the catches by type.</summary>
    private protected KernelException(string operation, int errno, string? detail)
        : base($"{operation}: {Describe(errno)}{(detail is null ? "" : $" ({detail})")}")
    {
        Operation = operation;
        Errno = errno;
    }

    public string Operation { get; }
    public int Errno { get; }

    /// <summary>The exception for <paramref name="errno"/> (positive) from <paramref name="operation"/>; its message
    /// reads "operation: strerror (errno N) (detail)" whatever its type.</summary>
    public static KernelException FromErrno(string operation, int errno, string? detail = null) => errno switch
    {
        ENOENT or ENODEV => new KernelNotFoundException(operation, errno, detail),
        EEXIST => new KernelExistsException(operation, errno, detail),
        _ => new KernelException(operation, errno, detail),
    };

    private static string Describe(int errno) => $"{new System.ComponentModel.Win32Exception(errno).Message} (errno {errno})";
}

/// <summary>ENOENT or ENODEV: the object the call named (file, device, table, chain, conntrack entry) is not there.
/// Callers that delete or look up treat it as "already gone".</summary>
public sealed class KernelNotFoundException : KernelException
{
    internal KernelNotFoundException(string operation, int errno, string? detail) : base(operation, errno, detail) { }
}

/// <summary>EEXIST: the name or key the call would create is taken.</summary>
public sealed class KernelExistsException : KernelException
{
    internal KernelExistsException(string operation, int errno, string? detail) : base(operation, errno, detail) { }
}
