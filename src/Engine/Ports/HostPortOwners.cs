using System.Globalization;

namespace MyDocker.Engine.Ports;

/// <summary>Names the host process that holds a port, for error messages: the socket's inode from /proc/net/{tcp,udp}[6]
/// (this network namespace's sockets), then the process whose fd table holds "socket:[INODE]". Best effort: a process
/// we cannot read is skipped.</summary>
internal static class HostPortOwners
{
    public static string? Describe(string protocol, int port)
    {
        try
        {
            var inodes = Inodes(protocol, port);
            if (inodes.Count == 0) return null;
            foreach (var dir in Directory.EnumerateDirectories("/proc"))
            {
                if (!int.TryParse(Path.GetFileName(dir), out int pid)) continue;
                try
                {
                    foreach (var fd in Directory.EnumerateFileSystemEntries(Path.Combine(dir, "fd")))
                    {
                        var target = new FileInfo(fd).LinkTarget;
                        if (target is not null && target.StartsWith("socket:[") && inodes.Contains(target[8..^1]))
                            return $"{File.ReadAllText(Path.Combine(dir, "comm")).Trim()}, pid {pid}";
                    }
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
        return null;
    }

    /// <summary>True when a listening or bound socket (not just a closed connection in TIME_WAIT) uses the port.</summary>
    public static bool AnyOpenSocket(string protocol, int port)
    {
        try { return Inodes(protocol, port).Count > 0; }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return true; }
    }

    /// <summary>Lines look like "  1: 0100007F:1F90 00000000:0000 0A ... uid timeout inode": local address:port in hex,
    /// the state (0A = LISTEN for tcp), the inode in the tenth column (proc_net_tcp.rst). TCP sockets count when
    /// listening (a socket that is only bound is in no table /proc lists); every UDP socket counts.</summary>
    private static HashSet<string> Inodes(string protocol, int port)
    {
        var inodes = new HashSet<string>(StringComparer.Ordinal);
        // thread-self: /proc/net is /proc/self/net, the namespace of the process's main thread, which need not be the
        // caller's (proc(5), /proc/thread-self).
        foreach (var file in new[] { $"/proc/thread-self/net/{protocol}", $"/proc/thread-self/net/{protocol}6" })
        {
            if (!File.Exists(file)) continue;
            foreach (var line in File.ReadLines(file).Skip(1))
            {
                var cols = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (cols.Length < 10) continue;
                int colon = cols[1].LastIndexOf(':');
                if (colon < 0 || !int.TryParse(cols[1][(colon + 1)..], NumberStyles.HexNumber, CultureInfo.InvariantCulture, out int p) || p != port) continue;
                if (protocol == "tcp" && cols[3] is not ("0A" or "07")) continue;
                if (cols[9] != "0") inodes.Add(cols[9]);
            }
        }
        return inodes;
    }
}
