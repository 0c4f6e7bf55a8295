using Microsoft.Extensions.Time.Testing;
using MyDocker.Web.Dashboard.Hosting;

namespace MyDocker.UnitTests.Dashboard;

/// <summary>L5 and H4: login tokens, session keys, their expiry and revocation, and the host name derived from the
/// secret. Real files in a temporary directory; a fake clock.</summary>
public sealed class DashboardAccessTests : IDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("mydocker-unit-");
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 1, 5, 8, 0, 0, TimeSpan.Zero));

    private DashboardAccess New() => new(_dir.FullName, _time);

    private DashboardSession LogIn(DashboardAccess access) => access.Redeem(access.NewLoginToken().Token)!;

    [Fact]
    public void The_login_token_works_once_and_sessions_survive_a_restart_with_the_same_secret()
    {
        var access = New();
        var (token, expires) = access.NewLoginToken();
        Assert.Equal(43, token.Length);
        Assert.Equal(_time.GetUtcNow() + TimeSpan.FromMinutes(10), expires);
        Assert.Null(access.Redeem("wrong"));
        var session = access.Redeem(token)!;
        Assert.Null(access.Redeem(token));
        Assert.Equal(session, access.Validate(session.Cookie));
        Assert.Equal(session, New().Validate(session.Cookie)); // a restart reads the same session.key
    }

    [Fact]
    public void L5_an_unused_login_token_expires_after_10_minutes_and_a_newer_one_replaces_it()
    {
        var access = New();
        string first = access.NewLoginToken().Token;
        string second = access.NewLoginToken().Token;
        Assert.Null(access.Redeem(first));
        _time.Advance(TimeSpan.FromMinutes(10));
        Assert.Null(access.Redeem(second));
        string third = access.NewLoginToken().Token;
        _time.Advance(TimeSpan.FromMinutes(9));
        Assert.NotNull(access.Redeem(third));
    }

    [Fact]
    public void L5_a_session_expires_12_hours_after_its_last_renewal_and_7_days_after_its_login_whatever_the_renewals()
    {
        var access = New();
        var session = LogIn(access);
        _time.Advance(TimeSpan.FromMinutes(4));
        Assert.Same(session, access.Renew(session)); // renewed at most every 5 minutes
        _time.Advance(TimeSpan.FromHours(12) - TimeSpan.FromMinutes(4) - TimeSpan.FromSeconds(1));
        Assert.NotNull(access.Validate(session.Cookie));
        var renewed = access.Renew(session);
        Assert.NotEqual(session.Cookie, renewed.Cookie);
        Assert.Equal(session.Id, renewed.Id);
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Null(access.Validate(session.Cookie)); // 12 h without a renewal
        Assert.NotNull(access.Validate(renewed.Cookie));

        // Renewed every 11 hours, it still ends 7 days after the login.
        var kept = renewed;
        while (_time.GetUtcNow() + TimeSpan.FromHours(11) < session.Created + TimeSpan.FromDays(7))
        {
            _time.Advance(TimeSpan.FromHours(11));
            kept = access.Renew(access.Validate(kept.Cookie)!);
        }
        Assert.Equal(session.Created + TimeSpan.FromDays(7), kept.ExpiresAt);
        _time.SetUtcNow(session.Created + TimeSpan.FromDays(7));
        Assert.Null(access.Validate(kept.Cookie));
    }

    [Fact]
    public void A_forged_or_altered_session_key_is_refused()
    {
        var access = New();
        var session = LogIn(access);
        var parts = session.Cookie.Split('.');
        Assert.Null(access.Validate(null));
        Assert.Null(access.Validate(parts[0]));
        Assert.Null(access.Validate(string.Join('.', parts[..3])));
        // A later renewal time under the old MAC (extending the session by hand) is refused.
        Assert.Null(access.Validate($"{parts[0]}.{parts[1]}.{long.Parse(parts[2]) + 3600}.{parts[3]}"));
        Assert.Null(access.Validate(session.Cookie[..^1] + (session.Cookie[^1] == 'A' ? 'B' : 'A')));
        Assert.Null(access.Validate($"{parts[0]}.{parts[1]}.99999999999999.{parts[3]}"));
        // Another daemon's secret (another data root) does not know it.
        using var other = new TempDir();
        Assert.Null(new DashboardAccess(other.Path, _time).Validate(session.Cookie));
    }

    [Fact]
    public void L5_logout_revokes_that_session_only_and_across_restarts()
    {
        var access = New();
        var (a, b) = (LogIn(access), LogIn(access));
        string? revoked = "none";
        access.Revoked += id => revoked = id;
        access.Revoke(a);
        Assert.Equal(a.Id, revoked);
        Assert.Null(access.Validate(a.Cookie));
        Assert.Null(access.Validate(access.Renew(a).Cookie));
        Assert.NotNull(access.Validate(b.Cookie));
        Assert.Null(New().Validate(a.Cookie));
        Assert.NotNull(New().Validate(b.Cookie));
        // The list forgets an id once it would have expired anyway.
        _time.Advance(TimeSpan.FromDays(8));
        access.Revoke(LogIn(access));
        Assert.DoesNotContain(a.Id, File.ReadAllText(Path.Combine(_dir.FullName, "revoked-sessions")));
    }

    [Fact]
    public void L5_revoking_all_ends_every_session_and_the_unused_token_and_changes_the_host_name()
    {
        var access = New();
        var (a, b) = (LogIn(access), LogIn(access));
        string label = access.HostLabel;
        Assert.Matches("^[0-9a-f]{20}$", label);
        Assert.Equal(label, New().HostLabel); // stable across restarts
        string token = access.NewLoginToken().Token;
        string? revoked = "none";
        access.Revoked += id => revoked = id;

        access.RevokeAll();
        Assert.Null(revoked);
        Assert.Null(access.Validate(a.Cookie));
        Assert.Null(access.Validate(b.Cookie));
        Assert.Null(New().Validate(a.Cookie));
        Assert.Null(access.Redeem(token));
        Assert.NotEqual(label, access.HostLabel);
        Assert.Equal(access.HostLabel, New().HostLabel);
        Assert.NotNull(access.Validate(LogIn(access).Cookie));
    }

    [Fact]
    public void The_files_are_made_once_and_only_root_reads_them()
    {
        var access = New();
        access.Revoke(LogIn(access));
        foreach (var name in new[] { "session.key", "revoked-sessions" })
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(_dir.FullName, name)));
        var key = File.ReadAllBytes(Path.Combine(_dir.FullName, "session.key"));
        Assert.Equal(32, key.Length);
        New();
        Assert.Equal(key, File.ReadAllBytes(Path.Combine(_dir.FullName, "session.key")));
    }

    public void Dispose() => _dir.Delete(recursive: true);

    private sealed class TempDir : IDisposable
    {
        private readonly DirectoryInfo _d = Directory.CreateTempSubdirectory("mydocker-unit-");
        public string Path => _d.FullName;
        public void Dispose() => _d.Delete(recursive: true);
    }
}
