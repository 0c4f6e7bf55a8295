using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace MyDocker.Web.Dashboard.Hosting;

/// <summary>
/// The dashboard's access state on disk, in DATA-ROOT/dashboard (a root-only directory; files 0600): <c>session.key</c>,
/// the 32-byte secret every session key and the host name are derived from, and <c>revoked-sessions</c>, the ids logged
/// out before they expired ("ID UNIX-SECONDS" per line, kept until then). Each file is replaced whole (write, fsync,
/// rename), so a kill at any moment leaves the old or the new version. Not thread-safe: <see cref="DashboardAccess"/>
/// calls it under its lock.
/// </summary>
internal sealed class AccessFiles(string directory)
{
    private const UnixFileMode DirMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    private const UnixFileMode FileMode0600 = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    public string KeyPath => Path.Combine(directory, "session.key");
    public string RevokedPath => Path.Combine(directory, "revoked-sessions");

    /// <summary>Reads the secret, or makes one on first start (or when the file is not 32 bytes).</summary>
    public byte[] LoadOrCreateKey()
    {
        if (File.Exists(KeyPath))
        {
            var bytes = File.ReadAllBytes(KeyPath);
            if (bytes.Length == 32) return bytes;
        }
        return NewKey();
    }

    /// <summary>Replaces the secret with a fresh one: every session key made under the old one stops validating.</summary>
    public byte[] NewKey()
    {
        var fresh = RandomNumberGenerator.GetBytes(32);
        Replace(KeyPath, fresh);
        return fresh;
    }

    /// <summary>The revoked ids with the time each would have expired anyway; lines that do not parse are skipped.</summary>
    public Dictionary<string, DateTimeOffset> LoadRevoked()
    {
        var revoked = new Dictionary<string, DateTimeOffset>(StringComparer.Ordinal);
        if (!File.Exists(RevokedPath)) return revoked;
        foreach (var line in File.ReadAllLines(RevokedPath))
        {
            var parts = line.Split(' ');
            if (parts.Length == 2 && long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out long until))
                revoked[parts[0]] = DateTimeOffset.FromUnixTimeSeconds(until);
        }
        return revoked;
    }

    public void SaveRevoked(IReadOnlyDictionary<string, DateTimeOffset> revoked)
    {
        var text = new StringBuilder();
        foreach (var (id, until) in revoked)
            text.Append(id).Append(' ').Append(until.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture)).Append('\n');
        Replace(RevokedPath, Encoding.ASCII.GetBytes(text.ToString()));
    }

    private void Replace(string path, ReadOnlySpan<byte> bytes)
    {
        Directory.CreateDirectory(directory, DirMode);
        string tmp = path + ".tmp";
        File.Delete(tmp); // a crash's leftover would keep its own mode: UnixCreateMode applies only to a new file
        using (var f = new FileStream(tmp, new FileStreamOptions
        {
            Mode = FileMode.Create, Access = FileAccess.Write, UnixCreateMode = FileMode0600,
        }))
        {
            f.Write(bytes);
            f.Flush(flushToDisk: true);
        }
        File.Move(tmp, path, overwrite: true);
    }
}
