using System.Runtime.InteropServices;

namespace MyDocker.Engine.Common;

/// <summary>
/// Named points inside multi-step operations where the end-to-end tests make the daemon die by SIGKILL, to prove that
/// a crash at any step leaves nothing half-made after a restart. Armed only by the environment variable
/// MYDOCKER_TEST_CRASH_AT=name (read once at start-up); otherwise a no-op.
/// </summary>
public static partial class CrashPoint
{
    private static readonly string? Armed = Environment.GetEnvironmentVariable("MYDOCKER_TEST_CRASH_AT");

    public static void Hit(string name)
    {
        if (Armed is null || Armed != name) return;
        Console.Error.WriteLine($"mydockerd: crash point {name} reached, killing self (MYDOCKER_TEST_CRASH_AT)");
        Console.Error.Flush();
        Kill(Environment.ProcessId, 9);
    }

    [LibraryImport("libc", EntryPoint = "kill")]
    private static partial int Kill(int pid, int signal);
}
