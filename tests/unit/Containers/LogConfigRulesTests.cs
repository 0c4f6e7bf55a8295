using MyDocker.Engine;
using MyDocker.Engine.Containers.Logs;

namespace MyDocker.UnitTests.Containers;

/// <summary>M7's log size cap: Docker's --log-opt max-size, parsed as Docker parses it, and nothing else taken silently.</summary>
public class LogConfigRulesTests
{
    [Theory]
    [InlineData("10m", 10_000_000L)]
    [InlineData("10MB", 10_000_000L)]
    [InlineData("1.5g", 1_500_000_000L)]
    [InlineData("500kb", 500_000L)]
    [InlineData("64ki", 64_000L)]
    [InlineData("20 k", 20_000L)]
    [InlineData("8192", 8192L)]
    public void M7_max_size_takes_dockers_units(string value, long bytes) => Assert.Equal(bytes, LogConfigRules.ParseMaxSize(value, "max-size"));

    [Theory]
    [InlineData("ten")]
    [InlineData("-5m")]
    [InlineData("10x")]
    [InlineData("")]
    [InlineData("8191")]
    [InlineData("99999999999999p")]
    public void M7_a_bad_max_size_is_refused_naming_the_value(string value) =>
        Assert.Contains($"max-size={value} ", Assert.Throws<EngineException>(() => LogConfigRules.ParseMaxSize(value, "--log-opt max-size")).Message);

    [Fact]
    public void M7_only_max_size_is_taken_and_anything_else_is_refused_by_name()
    {
        Assert.Equal("10m", LogConfigRules.MaxSizeOf("json-file", new Dictionary<string, string> { ["max-size"] = "10m", ["max-file"] = "1" }));
        Assert.Equal("20k", LogConfigRules.MaxSizeOf("k8s-file", new Dictionary<string, string> { ["max-size"] = "20k" }));
        Assert.Null(LogConfigRules.MaxSizeOf("", null));
        Assert.Null(LogConfigRules.MaxSizeOf(null, new Dictionary<string, string>()));

        string Refused(string? driver, string key, string value) => Assert.Throws<EngineException>(() =>
            LogConfigRules.MaxSizeOf(driver, new Dictionary<string, string> { [key] = value })).Message;
        Assert.Contains("log driver 'syslog' is not supported", Refused("syslog", "max-size", "10m"));
        Assert.Contains("--log-opt compress is not supported", Refused("", "compress", "true"));
        Assert.Contains("--log-opt max-file=3 is not supported", Refused("json-file", "max-file", "3"));
        Assert.Contains("--log-opt max-size=big", Refused("", "max-size", "big"));
    }
}
