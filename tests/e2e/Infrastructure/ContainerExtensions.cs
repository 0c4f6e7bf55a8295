using System.Text.Json;

namespace MyDocker.E2ETests.Infrastructure;

/// <summary>Shortcuts for container tests against a <see cref="DaemonUnderTest"/>.</summary>
public static class ContainerExtensions
{
    /// <summary>Puts the busybox image where the seed looked for it (<c>DATA-ROOT/image/busybox.tar</c>), so
    /// `busybox` resolves on first use.</summary>
    public static DaemonUnderTest WithBusybox(this DaemonUnderTest d)
    {
        Directory.CreateDirectory(Path.Combine(d.DataRoot, "image"));
        File.Copy(TestImages.BusyboxTar, Path.Combine(d.DataRoot, "image", "busybox.tar"), overwrite: true);
        return d;
    }

    /// <summary>`mydocker run -d ARGS`; returns the id.</summary>
    public static string RunDetached(this DaemonUnderTest d, params string[] args) => d.CliOk(["run", "-d", .. args]).Trim();

    public static JsonElement InspectContainer(this DaemonUnderTest d, string idOrName)
    {
        using var doc = JsonDocument.Parse(d.CliOk("inspect", idOrName));
        return doc.RootElement[0].Clone();
    }

    public static string IpOf(this DaemonUnderTest d, string idOrName) =>
        d.InspectContainer(idOrName).GetProperty("NetworkSettings").GetProperty("IPAddress").GetString()!;

    public static string StateOf(this DaemonUnderTest d, string idOrName) =>
        d.InspectContainer(idOrName).GetProperty("State").GetProperty("Status").GetString()!;

    /// <summary>A ping from a fresh container on <paramref name="network"/>; its exit code is the answer. A success is
    /// retried (ARP on a fresh link can eat the first echo); pair every "cannot" (<c>attempts: 1</c>) with a "can" on
    /// the same setup, so a "cannot" is not just a slow link.</summary>
    public static bool PingFrom(this DaemonUnderTest d, string network, string address, int attempts = 3)
    {
        for (int i = 0; i < attempts; i++)
            if (d.Cli("run", "--rm", "--network", network, "busybox", "ping", "-c", "1", "-W", "1", address).ExitCode == 0) return true;
        return false;
    }

    /// <summary>The container's netns mount (where `nsenter --net=` can enter it).</summary>
    public static string NetnsOf(this DaemonUnderTest d, string id) => Path.Combine(d.ExecRoot, "netns", id);

    /// <summary>Runs a host program inside the container's network namespace only (for looking at its interfaces).</summary>
    public static (int ExitCode, string Stdout, string Stderr) InContainerNetns(this DaemonUnderTest d, string id, params string[] args) =>
        Command.TryRun("nsenter", ["--net=" + d.NetnsOf(id), .. args]);
}
