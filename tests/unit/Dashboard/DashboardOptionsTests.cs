using MyDocker.Web.Dashboard.Hosting;

namespace MyDocker.UnitTests.Dashboard;

public class DashboardOptionsTests
{
    [Fact]
    public void Loopback_answers_to_its_address_and_localhost_and_another_address_only_to_itself()
    {
        Assert.Equal(["127.0.0.1:7480", "localhost:7480"], new DashboardOptions().Authorities());
        Assert.Equal("http://127.0.0.1:7480", new DashboardOptions().BaseUrl);
        Assert.Equal(["[::1]:9000", "localhost:9000"], new DashboardOptions { Address = "::1", Port = 9000 }.Authorities());
        Assert.Equal(["192.0.2.5:7480"], new DashboardOptions { Address = "192.0.2.5" }.Authorities());
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
