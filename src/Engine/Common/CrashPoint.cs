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

    /// <summary>The unit tests' stand-in for the kill, per async flow (so tests running side by side do not see each
    /// other's): called at every point reached; it "dies" by never returning (tests/unit/Networks/NetworkLab.CrashDuringAsync).</summary>
    private static readonly AsyncLocal<Action<string>?> Simulated = new();

    /// <summary>Calls <paramref name="onHit"/> at every crash point this async flow (and the tasks it starts) reaches.</summary>
    internal static void Simulate(Action<string>? onHit) => Simulated.Value = onHit;

    public static void Hit(string name)
    {
        Simulated.Value?.Invoke(name);
        if (Armed is null || Armed != name) return;
        Console.Error.WriteLine($"mydockerd: crash point {name} reached, killing self (MYDOCKER_TEST_CRASH_AT)");
        Console.Error.Flush();
        Kill(Environment.ProcessId, 9);
    }

    [LibraryImport("libc", EntryPoint = "kill")]
    private static partial int Kill(int pid, int signal);
}
