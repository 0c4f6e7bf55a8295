using Microsoft.Extensions.Time.Testing;
using MyDocker.Web.Dashboard.Hosting;

namespace MyDocker.UnitTests.Dashboard;

/// <summary>L5: the requests (circuit WebSockets above all) of a session that ends are aborted — at logout, at revoke-all,
/// at expiry — and nothing else is.</summary>
public sealed class LiveSessionsTests : IDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("mydocker-unit-");
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 1, 5, 8, 0, 0, TimeSpan.Zero));

    [Fact]
    public void Logout_aborts_that_sessions_requests_and_revoke_all_aborts_every_one()
    {
        var access = new DashboardAccess(_dir.FullName, _time);
        using var live = new LiveSessions(access, _time);
        var (a, b) = (access.Redeem(access.NewLoginToken().Token)!, access.Redeem(access.NewLoginToken().Token)!);
        var aborted = new List<string>();
        using var a1 = live.Track(a, () => aborted.Add("a1"));
        using var a2 = live.Track(a, () => aborted.Add("a2"));
        using var b1 = live.Track(b, () => aborted.Add("b1"));
        var b2 = live.Track(b, () => aborted.Add("b2"));
        b2.Dispose(); // ended before: never aborted
        Assert.Equal(3, live.Count);

        access.Revoke(a);
        Assert.Equal(["a1", "a2"], aborted.Order());
        Assert.Equal(1, live.Count);
        access.RevokeAll();
        Assert.Equal(["a1", "a2", "b1"], aborted.Order());
        Assert.Equal(0, live.Count);
    }

    [Fact]
    public void A_request_is_aborted_when_its_session_expires()
    {
        var access = new DashboardAccess(_dir.FullName, _time);
        using var live = new LiveSessions(access, _time);
        var session = access.Redeem(access.NewLoginToken().Token)!;
        int aborted = 0;
        using var circuit = live.Track(session, () => aborted++);
        _time.Advance(TimeSpan.FromHours(12) - TimeSpan.FromSeconds(1));
        Assert.Equal(0, aborted);
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(1, aborted);
        Assert.Equal(0, live.Count);
        _time.Advance(TimeSpan.FromDays(1));
        Assert.Equal(1, aborted);
    }

    public void Dispose() => _dir.Delete(recursive: true);
}
