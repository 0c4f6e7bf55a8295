using MyDocker.Engine;
using MyDocker.Engine.Containers.Runtime;

namespace MyDocker.UnitTests.Containers;

public sealed class RuntimeErrorsTests
{
    [Fact]
    public void Conmon_create_failure_becomes_plain_words_and_127()
    {
        const string message = "time=\"2026-11-24T08:01:01Z\" level=warning msg=\"some cgroup noise\"\n" +
            "runc create failed: unable to start container process: exec: \"nonexistentcmd\": executable file not found in $PATH";
        var clean = RuntimeErrors.Clean(message);
        Assert.Equal("exec: \"nonexistentcmd\": executable file not found in $PATH", clean);
        Assert.Equal(127, RuntimeErrors.ExitCodeFor(clean));
    }

    [Fact]
    public void Runc_stderr_error_lines_keep_their_msg()
    {
        const string stderr = "time=\"2026-11-24T08:17:37Z\" level=error msg=\"container \\\"abc\\\" does not exist\"\n";
        Assert.Equal("container \"abc\" does not exist", RuntimeErrors.Clean(stderr));
        Assert.True(RuntimeErrors.IsNotFound(stderr));
    }

    [Theory]
    [InlineData("exec: \"/bin/x\": stat /bin/x: no such file or directory", 127)]
    [InlineData("exec: \"/etc/passwd\": permission denied", 126)]
    [InlineData("cgroup: cannot set memory limit: device or resource busy", 125)]
    public void Exit_codes_follow_docker_run(string message, int code) => Assert.Equal(code, RuntimeErrors.ExitCodeFor(message));

    [Fact]
    public void Start_exception_kind_follows_the_exit_code()
    {
        Assert.Equal(ErrorKind.InvalidArgument, new ContainerStartException("c", "x", 127).Kind);
        Assert.Equal(ErrorKind.Internal, new ContainerStartException("c", "x", 125).Kind);
        Assert.Contains("c", new ContainerStartException("c", "boom", 125).Message);
    }

    [Fact]
    public void Empty_output_still_says_something() => Assert.NotEmpty(RuntimeErrors.Clean("time=\"x\" level=warning msg=\"y\"\n"));
}
