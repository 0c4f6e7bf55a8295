using MyDocker.Web.Hosting;

namespace MyDocker.UnitTests.Hosting;

public class DaemonArgumentsTests
{
    [Fact]
    public void Dashboard_flags_parse_in_both_spellings()
    {
        Assert.Equal(7490, DaemonArguments.Parse(["--dashboard-port", "7490"]).DashboardPort);
        Assert.Equal(7491, DaemonArguments.Parse(["--dashboard-port=7491"]).DashboardPort);
        var off = DaemonArguments.Parse(["--no-dashboard"]);
        Assert.True(off.NoDashboard);
        Assert.Null(off.DashboardPort);
        Assert.False(DaemonArguments.Parse([]).NoDashboard);
    }

    [Theory]
    [InlineData(new[] { "--dashboard-port", "0" }, "from 1 to 65535")]
    [InlineData(new[] { "--dashboard-port", "70000" }, "from 1 to 65535")]
    [InlineData(new[] { "--dashboard-port", "-5" }, "from 1 to 65535")]
    [InlineData(new[] { "--dashboard-port" }, "needs a value")]
    [InlineData(new[] { "--no-dashboard", "--dashboard-port", "7480" }, "contradict")]
    [InlineData(new[] { "--dashboard" }, "unknown flag --dashboard")]
    public void Bad_dashboard_flags_are_errors(string[] args, string expected) =>
        Assert.Contains(expected, Assert.Throws<ArgumentException>(() => DaemonArguments.Parse(args)).Message);
}
