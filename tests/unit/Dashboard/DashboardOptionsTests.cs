using MyDocker.Web.Dashboard.Hosting;

namespace MyDocker.UnitTests.Dashboard;

public class DashboardOptionsTests
{
    [Fact]
    public void Only_127_0_0_1_and_the_IPv6_loopback_use_a_localhost_name()
    {
        Assert.Equal("127.0.0.1:7480", new DashboardOptions().ListenEndpoint);
        Assert.True(new DashboardOptions().UsesLocalhostName);
        Assert.Equal("[::1]:9000", new DashboardOptions { Address = "::1", Port = 9000 }.ListenEndpoint);
        Assert.True(new DashboardOptions { Address = "::1" }.UsesLocalhostName);
        // *.localhost resolves to 127.0.0.1 and ::1 only: another loopback address or a LAN address keeps its number.
        Assert.False(new DashboardOptions { Address = "127.0.0.2" }.UsesLocalhostName);
        Assert.False(new DashboardOptions { Address = "192.0.2.5" }.UsesLocalhostName);
        Assert.Equal("192.0.2.5:7480", new DashboardOptions { Address = "192.0.2.5" }.ListenEndpoint);
    }

    [Theory]
    [InlineData("0.0.0.0", null, "every address")]
    [InlineData("::", null, "every address")]
    [InlineData("localhost", null, "not an IP address")]
    [InlineData("fe80::1%eth0", null, "not an IP address")]
    [InlineData("127.0.0.1", 70000, "not a TCP port")]
    public void Bad_settings_are_refused_with_the_setting_named(string address, int? port, string expected)
    {
        var options = new DashboardOptions { Address = address };
        if (port is int p) options.Port = p;
        var e = Assert.Throws<ArgumentException>(() => options.ListenAddress());
        Assert.Contains(expected, e.Message);
        Assert.Contains("MyDocker:Dashboard:", e.Message);
    }
}
