using MyDocker.Cli.Parsing;

namespace MyDocker.UnitTests.Cli;

public class ArgParserTests
{
    private static readonly FlagSpec[] Flags =
    [
        FlagSpec.Value("driver", 'd', "string", "driver"),
        FlagSpec.List("subnet", '\0', "string", "subnet"),
        FlagSpec.List("opt", 'o', "map", "options"),
        FlagSpec.Bool("internal", '\0', "internal"),
        FlagSpec.Bool("quiet", 'q', "quiet"),
        FlagSpec.Bool("all", 'a', "all"),
        FlagSpec.Value("net", '\0', "string", "network"),
    ];

    [Fact]
    public void FlagsBeforeTheName()
    {
        var p = ArgParser.Parse(["--driver", "bridge", "--subnet", "10.10.10.1/24", "testbr"], Flags);
        Assert.Equal("bridge", p.Value("driver"));
        Assert.Equal(["10.10.10.1/24"], p.Values("subnet"));
        Assert.Equal(["testbr"], p.Positionals);
    }

    [Fact]
    public void FlagsAfterTheName()
    {
        var p = ArgParser.Parse(["testbr", "--subnet", "10.0.0.0/24", "--internal"], Flags);
        Assert.Equal(["testbr"], p.Positionals);
        Assert.Equal("10.0.0.0/24", p.Value("subnet"));
        Assert.True(p.Bool("internal"));
    }

    [Fact]
    public void InlineValues()
    {
        var p = ArgParser.Parse(["--subnet=10.0.0.0/24", "-d=bridge", "-oa=b=c", "--internal=false", "n"], Flags);
        Assert.Equal("10.0.0.0/24", p.Value("subnet"));
        Assert.Equal("bridge", p.Value("driver"));
        Assert.Equal(["a=b=c"], p.Values("opt"));
        Assert.True(p.Has("internal"));
        Assert.False(p.Bool("internal"));
    }

    [Fact]
    public void RepeatedOptionsKeepEveryValueInOrder()
    {
        var p = ArgParser.Parse(["-o", "bridge.name=br0", "n", "--opt", "mtu=1400", "-o=x=y"], Flags);
        Assert.Equal(["bridge.name=br0", "mtu=1400", "x=y"], p.Values("opt"));
    }

    [Fact]
    public void ScalarFlagGivenTwiceKeepsTheLast()
    {
        var p = ArgParser.Parse(["-d", "macvlan", "--driver", "bridge"], Flags);
        Assert.Equal(["bridge"], p.Values("driver"));
    }

    [Fact]
    public void SingleDashLongSpellingOfTheSeed()
    {
        var p = ArgParser.Parse(["-net", "testbr", "-driver=bridge", "busybox"], Flags);
        Assert.Equal("testbr", p.Value("net"));
        Assert.Equal("bridge", p.Value("driver"));
        Assert.Equal(["busybox"], p.Positionals);
    }

    [Fact]
    public void GroupedShortBoolFlagsAndAttachedValue()
    {
        var p = ArgParser.Parse(["-qa", "-dbridge"], Flags);
        Assert.True(p.Bool("quiet"));
        Assert.True(p.Bool("all"));
        Assert.Equal("bridge", p.Value("driver"));
    }

    [Fact]
    public void DoubleDashEndsFlagsAndLoneDashIsPositional()
    {
        var p = ArgParser.Parse(["-q", "--", "--subnet", "-"], Flags);
        Assert.True(p.Bool("quiet"));
        Assert.Equal(["--subnet", "-"], p.Positionals);
    }

    [Fact]
    public void NotInterspersedStopsAtTheFirstPositional()
    {
        var p = ArgParser.Parse(["-q", "network", "create", "--subnet", "x"], Flags, interspersed: false);
        Assert.True(p.Bool("quiet"));
        Assert.Equal(["network", "create", "--subnet", "x"], p.Positionals);
        Assert.False(p.Has("subnet"));
    }

    [Fact]
    public void ValueMayStartWithADash()
    {
        var p = ArgParser.Parse(["-d", "-weird-"], Flags);
        Assert.Equal("-weird-", p.Value("driver"));
    }

    [Theory]
    [InlineData("--bogus", "unknown flag: --bogus")]
    [InlineData("--bogus=1", "unknown flag: --bogus")]
    [InlineData("-x", "unknown shorthand flag: 'x' in -x")]
    [InlineData("-qx", "unknown shorthand flag: 'x' in -qx")]
    [InlineData("--subnet", "flag needs an argument: --subnet")]
    [InlineData("-d", "flag needs an argument: -d")]
    [InlineData("--internal=maybe", "invalid argument \"maybe\" for \"--internal\" flag: expected true or false")]
    public void BadFlagsAreUsageErrorsNamingTheFlag(string arg, string message)
    {
        var e = Assert.Throws<UsageException>(() => ArgParser.Parse(["n", arg], Flags));
        Assert.Equal(message, e.Message);
    }
}
