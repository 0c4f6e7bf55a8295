using System.Security.Cryptography;
using MyDocker.Web.Dashboard.Hosting;

namespace MyDocker.UnitTests.Dashboard;

public class DashboardAccessTests
{
    [Fact]
    public void The_login_token_works_once_and_sessions_survive_a_restart_with_the_same_secret()
    {
        var secret = RandomNumberGenerator.GetBytes(32);
        var access = new DashboardAccess(secret);
        string token = access.LoginToken!;
        Assert.Equal(43, token.Length);
        Assert.Null(access.Redeem("wrong"));
        string key = access.Redeem(token)!;
        Assert.Null(access.Redeem(token));
        Assert.Null(access.LoginToken);
        Assert.True(access.IsSession(key));

        Assert.True(new DashboardAccess(secret).IsSession(key));
        Assert.False(new DashboardAccess(RandomNumberGenerator.GetBytes(32)).IsSession(key));
        Assert.False(access.IsSession(key[..^1] + (key[^1] == 'A' ? 'B' : 'A')));
        Assert.False(access.IsSession(key.Split('.')[0]));
        Assert.False(access.IsSession(null));
        Assert.False(access.IsSession("." + key.Split('.')[1]));
    }

    [Fact]
    public void The_secret_file_is_made_once_and_only_root_reads_it()
    {
        var dir = Directory.CreateTempSubdirectory("mydocker-unit-");
        try
        {
            string path = Path.Combine(dir.FullName, "dashboard", "session.key");
            var first = DashboardAccess.LoadOrCreateSecret(path);
            Assert.Equal(first, DashboardAccess.LoadOrCreateSecret(path));
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        }
        finally { dir.Delete(recursive: true); }
    }
}
