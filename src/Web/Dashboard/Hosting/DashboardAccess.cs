using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.WebUtilities;

namespace MyDocker.Web.Dashboard.Hosting;

/// <summary>
/// Who may use the dashboard. A one-time login token (printed at start and by <c>mydocker dashboard</c>, valid
/// <see cref="LoginTokenLifetime"/>, only the newest one) is exchanged for a session key kept in an HttpOnly,
/// SameSite=Strict cookie. A session key is "ID.CREATED.RENEWED.MAC": a random id, two Unix times and their HMAC under
/// the secret in <c>session.key</c> (<see cref="AccessFiles"/>), so sessions survive a daemon restart and expire without
/// any stored state; a logout adds the id to a revocation list until it would have expired anyway, and
/// <see cref="RevokeAll"/> replaces the secret. The dashboard's host name is derived from the same secret
/// (<see cref="HostLabel"/>). Tokens and ids are 32 bytes from a CSPRNG, URL-safe base64. Thread-safe.
/// </summary>
public sealed class DashboardAccess
{
    /// <summary>Long enough to copy a URL from a terminal into a browser, short enough that one found later in a
    /// journal or a scrollback is dead.</summary>
    public static readonly TimeSpan LoginTokenLifetime = TimeSpan.FromMinutes(10);

    /// <summary>A session ends this long after the browser last made a request (a page load; an open page's circuit
    /// makes none): a working day in one tab. Whoever holds the cookie can renew it, so <see cref="MaxLifetime"/> bounds it.</summary>
    public static readonly TimeSpan IdleTimeout = TimeSpan.FromHours(12);

    /// <summary>No session lives longer than this from its login, however often it is renewed: a copied cookie that its
    /// holder keeps renewing dies within a week.</summary>
    public static readonly TimeSpan MaxLifetime = TimeSpan.FromDays(7);

    /// <summary>A request renews its session's cookie when the last renewal is older than this (not on every static file).</summary>
    public static readonly TimeSpan RenewAfter = TimeSpan.FromMinutes(5);

    // Renewal times ahead of the clock by more than this (the clock was set back) are not trusted.
    private static readonly TimeSpan ClockSlack = TimeSpan.FromMinutes(5);

    private readonly AccessFiles _files;
    private readonly TimeProvider _time;
    private readonly Lock _lock = new();
    private byte[] _secret;
    private string _hostLabel;
    private readonly Dictionary<string, DateTimeOffset> _revoked;
    private string? _token;
    private DateTimeOffset _tokenExpires;

    /// <param name="directory">DATA-ROOT/dashboard: made root-only if missing.</param>
    public DashboardAccess(string directory, TimeProvider? time = null)
    {
        _files = new AccessFiles(directory);
        _time = time ?? TimeProvider.System;
        _secret = _files.LoadOrCreateKey();
        _hostLabel = Label(_secret);
        _revoked = _files.LoadRevoked();
    }

    /// <summary>Raised after sessions were revoked, outside the lock: the session's id, or null for every session.</summary>
    public event Action<string?>? Revoked;

    /// <summary>
    /// 20 hex digits (80 bits) derived from the secret, for the host name <c>mydocker-LABEL.localhost</c>. A cookie goes
    /// to every port of its host (RFC 6265 §8.5), so a page served on any loopback port under the dashboard's host name
    /// would receive it: a well-known name would let a container's web page send the browser there and read the cookie on
    /// its next request. Nobody outside this browser and root learns this name. It changes with <see cref="RevokeAll"/>.
    /// </summary>
    public string HostLabel { get { lock (_lock) return _hostLabel; } }

    /// <summary>Makes a new one-time login token, valid for <see cref="LoginTokenLifetime"/>; an earlier unused token
    /// stops working.</summary>
    public (string Token, DateTimeOffset ExpiresAt) NewLoginToken()
    {
        string token = NewSecret();
        lock (_lock)
        {
            _token = token;
            _tokenExpires = _time.GetUtcNow() + LoginTokenLifetime;
            return (token, _tokenExpires);
        }
    }

    /// <summary>Exchanges the login token for a new session; null if the token is wrong, used or expired.</summary>
    public DashboardSession? Redeem(string? token)
    {
        if (string.IsNullOrEmpty(token)) return null;
        var now = Now();
        byte[] secret;
        lock (_lock)
        {
            if (_token is null || now >= _tokenExpires
                || !CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(token), Encoding.UTF8.GetBytes(_token)))
                return null;
            _token = null;
            secret = _secret;
        }
        return Make(secret, NewSecret(), now, now);
    }

    /// <summary>The session a cookie value stands for; null unless its MAC holds under the current secret and it has
    /// neither expired nor been revoked.</summary>
    public DashboardSession? Validate(string? key)
    {
        if (string.IsNullOrEmpty(key)) return null;
        var parts = key.Split('.');
        if (parts.Length != 4 || parts[0].Length == 0
            || !long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out long created)
            || !long.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out long renewed)
            || created > renewed || renewed > DateTimeOffset.MaxValue.ToUnixTimeSeconds())
            return null;
        byte[] secret;
        lock (_lock) secret = _secret;
        if (!CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(parts[3]), Encoding.ASCII.GetBytes(Mac(secret, parts[0], created, renewed))))
            return null;
        var session = new DashboardSession(parts[0], DateTimeOffset.FromUnixTimeSeconds(created), DateTimeOffset.FromUnixTimeSeconds(renewed), key);
        var now = _time.GetUtcNow();
        if (session.Renewed > now + ClockSlack || now >= session.ExpiresAt) return null;
        lock (_lock) return _revoked.ContainsKey(session.Id) ? null : session;
    }

    /// <summary>The same session renewed now, with its new cookie value; the session itself when its last renewal is
    /// recent (<see cref="RenewAfter"/>).</summary>
    public DashboardSession Renew(DashboardSession session)
    {
        var now = Now();
        if (now - session.Renewed < RenewAfter) return session;
        byte[] secret;
        lock (_lock) secret = _secret;
        return Make(secret, session.Id, session.Created, now);
    }

    /// <summary>Ends one session (logout) for good: its id is refused until it would have expired anyway, across
    /// restarts too.</summary>
    public void Revoke(DashboardSession session)
    {
        lock (_lock)
        {
            var now = _time.GetUtcNow();
            foreach (var (id, until) in _revoked.ToList())
                if (until <= now) _revoked.Remove(id);
            _revoked[session.Id] = session.Created + MaxLifetime;
            _files.SaveRevoked(_revoked);
        }
        Revoked?.Invoke(session.Id);
    }

    /// <summary>Ends every session and the unused login token: a new secret, hence a new host name too.</summary>
    public void RevokeAll()
    {
        lock (_lock)
        {
            _secret = _files.NewKey();
            _hostLabel = Label(_secret);
            _token = null;
            // Every id on the list was made under the old secret: none can validate any more.
            _revoked.Clear();
            _files.SaveRevoked(_revoked);
        }
        Revoked?.Invoke(null);
    }

    // Whole seconds: the cookie carries Unix seconds, so a session's times are the ones it will be validated with.
    private DateTimeOffset Now() => DateTimeOffset.FromUnixTimeSeconds(_time.GetUtcNow().ToUnixTimeSeconds());

    private static DashboardSession Make(byte[] secret, string id, DateTimeOffset created, DateTimeOffset renewed)
    {
        long c = created.ToUnixTimeSeconds(), r = renewed.ToUnixTimeSeconds();
        return new DashboardSession(id, created, renewed, FormattableString.Invariant($"{id}.{c}.{r}.{Mac(secret, id, c, r)}"));
    }

    // Each use of the secret gets its own label, so a session MAC can never be mistaken for the host label or back.
    private static string Mac(byte[] secret, string id, long created, long renewed) =>
        WebEncoders.Base64UrlEncode(HMACSHA256.HashData(secret, Encoding.ASCII.GetBytes(FormattableString.Invariant($"session {id}.{created}.{renewed}"))));

    private static string Label(byte[] secret) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(secret, "dashboard host name"u8))[..20];

    private static string NewSecret() => WebEncoders.Base64UrlEncode(RandomNumberGenerator.GetBytes(32));
}

/// <summary>A valid session: its id, when it logged in, when its cookie was last renewed, and that cookie's value.</summary>
public sealed record DashboardSession(string Id, DateTimeOffset Created, DateTimeOffset Renewed, string Cookie)
{
    /// <summary><see cref="DashboardAccess.IdleTimeout"/> after the last renewal, but never past
    /// <see cref="DashboardAccess.MaxLifetime"/> after the login.</summary>
    public DateTimeOffset ExpiresAt
    {
        get
        {
            var idle = Renewed + DashboardAccess.IdleTimeout;
            var max = Created + DashboardAccess.MaxLifetime;
            return idle < max ? idle : max;
        }
    }
}
