namespace MyDocker.UnitTests.Cli;

/// <summary>The whole CLI, in-process, against <see cref="FakeDaemon"/>: what it sends and what it prints.</summary>
public class CliAgainstFakeDaemonTests
{
    private const string Id = "3f2a1b0c9d8e7f6a5b4c3d2e1f0a9b8c7d6e5f4a3b2c1d0e9f8a7b6c5d4e3f2a";

    [Fact]
    public async Task CreateSeedFormPostsDockersBodyAndPrintsTheFullId()
    {
        using var daemon = new FakeDaemon().Answer(201, "Created", $$"""{"Id":"{{Id}}","Warning":""}""");
        var r = await CliRunner.RunAsync(daemon.Host, "network", "create", "--driver", "bridge", "--subnet", "10.10.10.1/24", "testbr");

        Assert.Equal(0, r.ExitCode);
        Assert.Equal(Id + "\n", r.Out);
        Assert.Equal("", r.Err);
        var request = Assert.Single(daemon.Requests);
        Assert.Equal("POST", request.Method);
        Assert.Equal("/networks/create", request.Path);
        Assert.Equal(
            """{"Name":"testbr","Driver":"bridge","Internal":false,"Attachable":false,"EnableIPv6":false,"Ingress":false,"IPAM":{"Driver":"default","Config":[{"Subnet":"10.10.10.1/24"}]}}""",
            request.Body);
    }

    [Fact]
    public async Task CreateConflictPrintsTheDaemonsMessage()
    {
        using var daemon = new FakeDaemon().Answer(409, "Conflict", """{"message":"network with name testbr already exists"}""");
        var r = await CliRunner.RunAsync(daemon.Host, "network", "create", "testbr", "-o", "bridge.name=br-test");

        Assert.Equal(1, r.ExitCode);
        Assert.Equal("", r.Out);
        Assert.Equal("Error: network with name testbr already exists\n", r.Err);
        Assert.Contains("\"Options\":{\"com.docker.network.bridge.name\":\"br-test\"}", Assert.Single(daemon.Requests).Body);
    }

    [Fact]
    public async Task HostFlagAfterTheVerbIsHonoured()
    {
        using var daemon = new FakeDaemon().Answer(201, "Created", $$"""{"Id":"{{Id}}"}""");
        var r = await CliRunner.RunAsync("unix:///nonexistent/x.sock", "network", "create", "web", "-H", daemon.Host);
        Assert.Equal(0, r.ExitCode);
        Assert.Single(daemon.Requests);
    }

    [Fact]
    public async Task InspectPrintsWhatWasFoundThenTheErrors()
    {
        using var daemon = new FakeDaemon()
            .Answer(200, "OK", """{"Name":"testbr","Id":"ID","Driver":"bridge","Custom":{"Kept":true}}""".Replace("ID", Id))
            .Answer(404, "Not Found", """{"message":"network nope not found"}""");
        var r = await CliRunner.RunAsync(daemon.Host, "network", "inspect", "testbr", "nope");

        Assert.Equal(1, r.ExitCode);
        Assert.Equal(
            "[\n" +
            "    {\n" +
            "        \"Name\": \"testbr\",\n" +
            $"        \"Id\": \"{Id}\",\n" +
            "        \"Driver\": \"bridge\",\n" +
            "        \"Custom\": {\n" +
            "            \"Kept\": true\n" +
            "        }\n" +
            "    }\n" +
            "]\n",
            r.Out);
        Assert.Equal("Error: network nope not found\n", r.Err);
        Assert.Equal(["GET /networks/testbr", "GET /networks/nope"], daemon.Requests.Select(q => $"{q.Method} {q.Path}"));
    }

    [Fact]
    public async Task InspectOfAMissingNetworkPrintsAnEmptyArray()
    {
        using var daemon = new FakeDaemon().Answer(404, "Not Found", """{"message":"network nope not found"}""");
        var r = await CliRunner.RunAsync(daemon.Host, "network", "inspect", "nope");
        Assert.Equal(1, r.ExitCode);
        Assert.Equal("[]\n", r.Out);
        Assert.Equal("Error: network nope not found\n", r.Err);
    }

    [Fact]
    public async Task RemoveGoesOnAfterAFailureAndExitsNonZero()
    {
        using var daemon = new FakeDaemon()
            .Answer(404, "Not Found", """{"message":"network nope not found"}""")
            .Answer(204, "No Content");
        var r = await CliRunner.RunAsync(daemon.Host, "network", "remove", "nope", "testbr");

        Assert.Equal(1, r.ExitCode);
        Assert.Equal("testbr\n", r.Out);
        Assert.Equal("Error: network nope not found\n", r.Err);
        Assert.Equal(["DELETE /networks/nope", "DELETE /networks/testbr"], daemon.Requests.Select(q => $"{q.Method} {q.Path}"));
    }

    [Fact]
    public async Task RemoveEscapesTheName()
    {
        using var daemon = new FakeDaemon().Answer(204, "No Content");
        var r = await CliRunner.RunAsync(daemon.Host, "network", "rm", "a b/c");
        Assert.Equal(0, r.ExitCode);
        Assert.Equal("/networks/a%20b%2Fc", Assert.Single(daemon.Requests).Path);
    }

    [Fact]
    public async Task ListPrintsASortedTable()
    {
        using var daemon = new FakeDaemon().Answer(200, "OK", """
            [{"Name":"zeta","Id":"ID","Driver":"bridge","Scope":"local",
              "IPAM":{"Driver":"default","Config":[{"Subnet":"10.10.10.0/24","Gateway":"10.10.10.1"}]},
              "Options":{"com.docker.network.bridge.name":"md-3f2a1b0c9d8e"}},
             {"Name":"alpha","Id":"ab12","Driver":"bridge","Scope":"local","IPAM":{"Config":[]},"Options":{}}]
            """.Replace("ID", Id));
        var r = await CliRunner.RunAsync(daemon.Host, "network", "list");

        Assert.Equal(0, r.ExitCode);
        Assert.Equal(
            "NETWORK ID     NAME      DRIVER    SUBNET          GATEWAY      BRIDGE            SCOPE\n" +
            "ab12           alpha     bridge    " + new string(' ', 16 + 13 + 18) + "local\n" +
            "3f2a1b0c9d8e   zeta      bridge    10.10.10.0/24   10.10.10.1   md-3f2a1b0c9d8e   local\n",
            r.Out);
        Assert.Equal("GET /networks", daemon.Requests.Select(q => $"{q.Method} {q.Path}").Single());
    }

    [Fact]
    public async Task ListQuietAndJson()
    {
        const string body = """[{"Name":"web","Id":"0123456789abcdef","Driver":"bridge"}]""";
        using var daemon = new FakeDaemon().Answer(200, "OK", body).Answer(200, "OK", body);
        var quiet = await CliRunner.RunAsync(daemon.Host, "network", "ls", "-q");
        Assert.Equal("0123456789ab\n", quiet.Out);
        var json = await CliRunner.RunAsync(daemon.Host, "network", "ls", "--format=json");
        Assert.Equal(
            "[\n    {\n        \"Name\": \"web\",\n        \"Id\": \"0123456789abcdef\",\n        \"Driver\": \"bridge\"\n    }\n]\n",
            json.Out);
    }

    [Fact]
    public async Task BadFormatIsRejectedBeforeAnyRequest()
    {
        using var daemon = new FakeDaemon();
        var r = await CliRunner.RunAsync(daemon.Host, "network", "ls", "--format", "yaml");
        Assert.Equal(2, r.ExitCode);
        Assert.StartsWith("Error: unsupported --format \"yaml\"", r.Err);
        Assert.Empty(daemon.Requests);
    }

    [Fact]
    public async Task ReconcilePostsAndPrintsTheReport()
    {
        using var daemon = new FakeDaemon().Answer(200, "OK", """{"Repaired":["bridge md-1 for network web"],"Removed":[],"Errors":[]}""");
        var r = await CliRunner.RunAsync(daemon.Host, "system", "reconcile");
        Assert.Equal(0, r.ExitCode);
        Assert.Equal("repaired: bridge md-1 for network web\n1 repaired, 0 removed, 0 failed\n", r.Out);
        Assert.Equal("POST /mydocker/v1/system/reconcile", daemon.Requests.Select(q => $"{q.Method} {q.Path}").Single());
    }

    [Fact]
    public async Task VersionPrintsClientAndServer()
    {
        using var daemon = new FakeDaemon().Answer(200, "OK",
            """{"Version":"0.2.0","ApiVersion":"1.47","MinAPIVersion":"1.24","Os":"linux","Arch":"amd64","KernelVersion":"6.1.0"}""");
        var r = await CliRunner.RunAsync(daemon.Host, "version");
        Assert.Equal(0, r.ExitCode);
        Assert.Contains(" Version:          0.1.0\n", r.Out);
        Assert.Contains("Server: MyDocker Engine\n Version:          0.2.0\n API version:      1.47 (minimum version 1.24)\n", r.Out);
    }

    [Fact]
    public async Task NonJsonErrorAnswerStillGivesAReadableError()
    {
        using var daemon = new FakeDaemon().Answer(500, "Internal Server Error", "boom");
        var r = await CliRunner.RunAsync(daemon.Host, "network", "create", "x");
        Assert.Equal(1, r.ExitCode);
        Assert.Equal("Error: the daemon answered 500 Internal Server Error to POST /networks/create: boom\n", r.Err);
    }

    [Fact]
    public async Task MissingSocketSaysTheDaemonIsNotRunning()
    {
        string host = "unix:///tmp/mdcli-" + Guid.NewGuid().ToString("N")[..12] + ".sock";
        var r = await CliRunner.RunAsync(host, "network", "create", "--subnet", "10.0.0.0/24", "x");
        Assert.Equal(1, r.ExitCode);
        Assert.Equal($"Error: cannot connect to the MyDocker daemon at {host}: is mydockerd running?\n", r.Err);
    }

    [Fact]
    public async Task RefusedSocketSaysTheDaemonIsNotRunning()
    {
        // A socket file with no listener behind it (a daemon that died) refuses the connection.
        using var daemon = new FakeDaemon();
        string path = daemon.SocketPath + ".stale";
        using (var s = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.Unix, System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Unspecified))
            s.Bind(new System.Net.Sockets.UnixDomainSocketEndPoint(path));
        var r = await CliRunner.RunAsync("unix://" + path, "network", "rm", "a", "b");
        Assert.Equal(1, r.ExitCode);
        // Said once, not once per network.
        Assert.Equal($"Error: cannot connect to the MyDocker daemon at unix://{path}: is mydockerd running?\n", r.Err);
    }
}
