using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.WebUtilities;

namespace MyDocker.Web.Dashboard.Hosting;

/// <summary>
/// Who may use the dashboard: one login token made at start (printed in the login URL, usable once), exchanged for a
/// session key kept in an HttpOnly, SameSite=Strict cookie. A session key is a random id and its HMAC under a secret
/// kept in the data root (root-only file), so sessions survive a daemon restart and an open page recovers by itself;
/// deleting the file ends every session. Tokens and ids are 32 bytes from a CSPRNG, URL-safe base64. Thread-safe.
/// </summary>
public sealed class DashboardAccess(byte[] secret)
{
    public const string CookieName = "mydocker_session";
    private readonly Lock _lock = new();
    private string? _loginToken = NewSecret();

    /// <summary>The one-time login token, or null once it was used.</summary>
    public string? LoginToken { get { lock (_lock) return _loginToken; } }

    /// <summary>Exchanges the login token for a new session key; null if the token is wrong or already used.</summary>
    public string? Redeem(string? token)
    {
        if (string.IsNullOrEmpty(token)) return null;
        lock (_lock)
        {
            if (_loginToken is null || !CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(token), Encoding.UTF8.GetBytes(_loginToken)))
                return null;
            _loginToken = null;
        }
        string id = NewSecret();
        return id + "." + Mac(id);
    }

    public bool IsSession(string? key)
    {
        if (string.IsNullOrEmpty(key) || key.IndexOf('.') is not (> 0 and var dot)) return false;
        return CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(key[(dot + 1)..]), Encoding.ASCII.GetBytes(Mac(key[..dot])));
    }

    /// <summary>Reads the 32-byte session secret, or makes it (mode 0600) on first start.</summary>
    public static byte[] LoadOrCreateSecret(string path)
    {
        if (File.Exists(path))
        {
            var bytes = File.ReadAllBytes(path);
            if (bytes.Length == 32) return bytes;
        }
        var fresh = RandomNumberGenerator.GetBytes(32);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        string tmp = path + ".tmp";
        using (var f = new FileStream(tmp, new FileStreamOptions
        {
            Mode = FileMode.Create, Access = FileAccess.Write, UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
        }))
            f.Write(fresh);
        File.Move(tmp, path, overwrite: true);
        return fresh;
    }

    private string Mac(string id) => WebEncoders.Base64UrlEncode(HMACSHA256.HashData(secret, Encoding.ASCII.GetBytes(id)));

    private static string NewSecret() => WebEncoders.Base64UrlEncode(RandomNumberGenerator.GetBytes(32));
}
