using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.WebUtilities;

namespace MyDocker.Web.Dashboard.Hosting;

/// <summary>
/// Who may use the dashboard: one login token made at start (printed in the login URL, usable once), exchanged for a
/// session key kept in an HttpOnly, SameSite=Strict cookie. Both are 32 bytes from a CSPRNG, URL-safe base64. Keys live
/// in memory only, so a daemon restart prints a new URL and ends every session. Thread-safe.
/// </summary>
public sealed class DashboardAccess
{
    public const string CookieName = "mydocker_session";
    private readonly ConcurrentDictionary<string, byte> _sessions = new(StringComparer.Ordinal);
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
            if (_loginToken is null || !FixedEquals(token, _loginToken)) return null;
            _loginToken = null;
        }
        string key = NewSecret();
        _sessions[key] = 0;
        return key;
    }

    public bool IsSession(string? key) => !string.IsNullOrEmpty(key) && _sessions.ContainsKey(key);

    private static bool FixedEquals(string a, string b) =>
        CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(a), Encoding.UTF8.GetBytes(b));

    private static string NewSecret() => WebEncoders.Base64UrlEncode(RandomNumberGenerator.GetBytes(32));
}
