namespace MyDocker.Engine.Kernel;

/// <summary>A system call or kernel request failed; <see cref="Errno"/> is the positive errno value.</summary>
public sealed class KernelException(string operation, int errno, string? detail = null)
    : Exception($"{operation}: {Describe(errno)}{(detail is null ? "" : $" ({detail})")}")
{
    public const int ENOENT = 2, EEXIST = 17, ENODEV = 19, EINVAL = 22, EBUSY = 16, EPERM = 1, EADDRNOTAVAIL = 99, ESRCH = 3;

    public string Operation { get; } = operation;
    public int Errno { get; } = errno;

    private static string Describe(int errno) => $"{new System.ComponentModel.Win32Exception(errno).Message} (errno {errno})";
}
