using System.Text.Json;
using MyDocker.Engine.Containers.Runtime;

namespace MyDocker.UnitTests.Containers;

/// <summary>The process.json of an exec: the container's process with the exec's command, env, directory and user.</summary>
public class ExecProcessSpecTests
{
    private const string Config = """
        {"ociVersion":"1.0.2","process":{"terminal":true,"consoleSize":{"height":24,"width":80},
         "user":{"uid":0,"gid":0,"umask":18,"additionalGids":[1,2,6,10]},
         "args":["sleep","1000"],"env":["PATH=/bin","HOSTNAME=web","X=1"],"cwd":"/srv",
         "capabilities":{"bounding":["CAP_CHOWN"]},"noNewPrivileges":true},
         "root":{"path":"/x/rootfs"}}
        """;

    private static JsonElement Build(ExecRequest request) => JsonDocument.Parse(ExecProcessSpec.Build(Config, request)).RootElement;

    [Fact]
    public void An_exec_user_gets_exactly_its_own_groups_never_the_containers()
    {
        var p = Build(new ExecRequest(["id", "-G"], false, [], null, new ProcessUser(65534, 65534, [])));
        var user = p.GetProperty("user");
        Assert.Equal(65534, user.GetProperty("uid").GetInt32());
        Assert.Equal(65534, user.GetProperty("gid").GetInt32());
        Assert.Empty(user.GetProperty("additionalGids").EnumerateArray());
        Assert.Equal(18, user.GetProperty("umask").GetInt32());

        var alice = Build(new ExecRequest(["id"], false, [], null, new ProcessUser(1000, 1000, [50, 29]))).GetProperty("user");
        Assert.Equal([50, 29], alice.GetProperty("additionalGids").EnumerateArray().Select(g => g.GetInt32()));
    }

    [Fact]
    public void Without_a_user_the_containers_user_and_groups_stay()
    {
        var user = Build(new ExecRequest(["id"], false, [], null, null)).GetProperty("user");
        Assert.Equal([1, 2, 6, 10], user.GetProperty("additionalGids").EnumerateArray().Select(g => g.GetInt32()));
    }

    [Fact]
    public void Command_env_directory_and_no_terminal_come_from_the_exec_the_rest_from_the_container()
    {
        var p = Build(new ExecRequest(["sh", "-c", "echo $X"], true, ["X=9", "NEW=1"], "/tmp", null));
        Assert.Equal(["sh", "-c", "echo $X"], p.GetProperty("args").EnumerateArray().Select(a => a.GetString()));
        // Docker's rule: -e replaces a variable of the same name in place, new ones follow.
        Assert.Equal(["PATH=/bin", "HOSTNAME=web", "X=9", "NEW=1"], p.GetProperty("env").EnumerateArray().Select(a => a.GetString()));
        Assert.Equal("/tmp", p.GetProperty("cwd").GetString());
        Assert.False(p.GetProperty("terminal").GetBoolean());
        Assert.False(p.TryGetProperty("consoleSize", out _));
        Assert.True(p.GetProperty("noNewPrivileges").GetBoolean());
        Assert.Equal("CAP_CHOWN", p.GetProperty("capabilities").GetProperty("bounding")[0].GetString());
        Assert.Equal("/srv", Build(new ExecRequest(["true"], false, [], null, null)).GetProperty("cwd").GetString());
    }
}
