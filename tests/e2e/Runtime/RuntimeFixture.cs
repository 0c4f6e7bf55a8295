using Microsoft.Extensions.Logging.Abstractions;
using MyDocker.Engine.Containers.Runtime;
using MyDocker.E2ETests.Infrastructure;

namespace MyDocker.E2ETests.Runtime;

/// <summary>
/// A real runc + conmon set-up for one test: state under /tmp/mydocker-e2e-*, a cgroup parent of its own, a throw-away
/// netns the containers join. Dispose removes every container, monitor and cgroup it made, even after a failure.
/// </summary>
public sealed class RuntimeFixture : IDisposable
{
    public string Root { get; } = Directory.CreateTempSubdirectory("mydocker-e2e-rt-").FullName;
    public TestNetns Netns { get; } = new("rt");
    public RuntimeOptions Options { get; }
    public ContainerRuntime Runtime { get; private set; }

    public RuntimeFixture()
    {
        Options = RuntimeOptions.FromExecRoot(Path.Combine(Root, "exec"), cgroupParent: $"mydocker-e2e-{Guid.NewGuid():N}"[..26]);
        Runtime = New();
    }

    public ContainerRuntime New() => new(Options, NullLogger<ContainerRuntime>.Instance);

    /// <summary>Replaces the runtime object by a new one (a daemon restart, as far as this layer can tell).</summary>
    public void Restart()
    {
        Runtime.Dispose();
        Runtime = New();
    }

    public string LogPath(string id) => Path.Combine(Root, "bundles", id, "ctr.log");

    /// <summary>A bundle with a busybox rootfs and config.json for <paramref name="args"/>; returns its directory.</summary>
    public string MakeBundle(string id, string[] args, long? memory = null)
    {
        var bundle = Path.Combine(Root, "bundles", id);
        var rootfs = Path.Combine(bundle, "rootfs");
        foreach (var d in new[] { "bin", "proc", "sys", "dev", "tmp", "etc" }) Directory.CreateDirectory(Path.Combine(rootfs, d));
        File.Copy("/bin/busybox", Path.Combine(rootfs, "bin/busybox"));
        foreach (var tool in new[] { "sh", "echo", "sleep", "cat", "dd", "head" })
            File.CreateSymbolicLink(Path.Combine(rootfs, "bin", tool), "busybox");
        File.WriteAllText(Path.Combine(bundle, "hosts"), "127.0.0.1\tlocalhost\n");
        File.WriteAllText(Path.Combine(bundle, "hostname"), id + "\n");
        File.WriteAllText(Path.Combine(bundle, "resolv.conf"), "nameserver 192.0.2.53\n");
        var spec = new RuntimeSpec(id, args, [], null, null, id, Netns.Path, bundle, [], MemoryBytes: memory,
            CgroupParent: Options.CgroupParent);
        File.WriteAllText(Path.Combine(bundle, "config.json"), OciSpecBuilder.Build(spec, rootfs));
        return bundle;
    }

    /// <summary>Creates and starts a container; returns its pid.</summary>
    public async Task<int> RunAsync(string id, string[] args, long? memory = null)
    {
        var bundle = MakeBundle(id, args, memory);
        var pid = await Runtime.CreateAsync(id, bundle, LogPath(id), new StdioOptions(), CancellationToken.None);
        await Runtime.StartAsync(id, CancellationToken.None);
        return pid;
    }

    /// <summary>Waits for conmon's exit record (bounded only so a broken test cannot hang the run).</summary>
    public async Task<ExitInfo> WaitForExitAsync(string id)
    {
        for (var i = 0; i < 600; i++)
        {
            if (Runtime.ReadExit(id) is { } exit) return exit;
            await Task.Delay(50);
        }
        throw new TimeoutException($"container {id} did not exit");
    }

    public void Dispose()
    {
        try
        {
            using var runtime = New();
            // Nothing is live for this fixture: every container, monitor, exit record and cgroup goes.
            runtime.RemoveOrphansAsync(_ => false, CancellationToken.None).GetAwaiter().GetResult();
        }
        finally
        {
            Runtime.Dispose();
            CgroupDirs.RemoveAsync(Options.CgroupParent).GetAwaiter().GetResult();
            Netns.Dispose();
            Directory.Delete(Root, recursive: true);
        }
    }
}
