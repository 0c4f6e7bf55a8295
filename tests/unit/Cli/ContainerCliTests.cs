using System.Text;
using MyDocker.Cli.Streams;

namespace MyDocker.UnitTests.Cli;

/// <summary>The container commands, in-process, against <see cref="FakeDaemon"/>: what they send, print and return.</summary>
public class ContainerCliTests
{
    private const string Id = "3f2a1b0c9d8e7f6a5b4c3d2e1f0a9b8c7d6e5f4a3b2c1d0e9f8a7b6c5d4e3f2a";
    private const string Created = $$"""{"Id":"{{Id}}","Warnings":[]}""";

    private static byte[] Frames(params (byte Stream, string Text)[] frames) =>
        frames.SelectMany(f => MultiplexedStreamReader.Frame(f.Stream, Encoding.UTF8.GetBytes(f.Text))).ToArray();

    [Fact]
    public async Task RunDetachedCreatesStartsAndPrintsTheFullId()
    {
        using var daemon = new FakeDaemon().Answer(201, "Created", $$"""{"Id":"{{Id}}","Warnings":["no swap limit"]}""").Answer(204, "No Content");
        var r = await CliRunner.RunAsync(daemon.Host, "run", "-d", "--name", "web", "-net", "testbr", "busybox", "sleep", "1000");

        Assert.Equal(0, r.ExitCode);
        Assert.Equal(Id + "\n", r.Out);
        Assert.Equal("WARNING: no swap limit\n", r.Err);
        Assert.Equal(["POST /containers/create?name=web", $"POST /containers/{Id}/start"], daemon.Lines);
        Assert.Contains("\"Cmd\":[\"sleep\",\"1000\"]", daemon.Requests.First().Body);
    }

    [Fact]
    public async Task RunAttachedWaitsFirstStreamsBothStreamsAndExitsWithTheContainersCode()
    {
        using var daemon = new FakeDaemon()
            .Answer(201, "Created", Created)
            .Answer(200, "OK", """{"StatusCode":3}""")
            .Answer(204, "No Content")
            .AnswerBytes(Frames((1, "hello\n"), (2, "oops\n"), (1, "bye\n")), chunkSize: 5);
        var r = await CliRunner.RunAsync(daemon.Host, "run", "busybox", "sh", "-c", "echo hello; echo oops >&2; echo bye; exit 3");

        Assert.Equal(3, r.ExitCode);
        Assert.Equal("hello\nbye\n", r.Out);
        Assert.Equal("oops\n", r.Err);
        Assert.Equal(
            [
                "POST /containers/create",
                $"POST /containers/{Id}/wait?condition=next-exit",
                $"POST /containers/{Id}/start",
                $"GET /containers/{Id}/logs?stdout=1&stderr=1&follow=1",
            ],
            daemon.Lines);
    }

    [Fact]
    public async Task RunAttachedWithRmRemovesTheContainerAfterItExited()
    {
        using var daemon = new FakeDaemon()
            .Answer(201, "Created", Created)
            .Answer(200, "OK", """{"StatusCode":0}""")
            .Answer(204, "No Content")
            .AnswerBytes([])
            .Answer(204, "No Content");
        var r = await CliRunner.RunAsync(daemon.Host, "run", "--rm", "busybox", "true");

        Assert.Equal(0, r.ExitCode);
        Assert.Equal($"DELETE /containers/{Id}?force=1", daemon.Lines[^1]);
        Assert.Contains("\"AutoRemove\":false", daemon.Requests.First().Body);
    }

    [Theory]
    [InlineData("""{"message":"exec: \"nope\": executable file not found in $PATH"}""", 127)]
    [InlineData("""{"message":"exec /etc/passwd: permission denied"}""", 126)]
    [InlineData("""{"message":"cgroup: memory limit below 6MB"}""", 125)]
    public async Task RunWhoseStartFailsExitsLikeDocker(string error, int code)
    {
        using var daemon = new FakeDaemon()
            .Answer(201, "Created", Created)
            .Answer(200, "OK", """{"StatusCode":0}""")
            .Answer(400, "Bad Request", error);
        var r = await CliRunner.RunAsync(daemon.Host, "run", "busybox", "nope");

        Assert.Equal(code, r.ExitCode);
        Assert.StartsWith("Error: ", r.Err);
        Assert.Equal("", r.Out);
        // No logs request after a failed start; the container that could not start is removed.
        Assert.Equal(4, daemon.Requests.Count);
        Assert.Equal($"DELETE /containers/{Id}?force=1", daemon.Lines[^1]);
    }

    [Fact]
    public async Task RunDetachedWhoseStartFailsRemovesTheContainer()
    {
        using var daemon = new FakeDaemon()
            .Answer(201, "Created", Created)
            .Answer(400, "Bad Request", """{"message":"exec: \"nope\": executable file not found in $PATH"}""")
            .Answer(404, "Not Found", """{"message":"No such container"}""");
        var r = await CliRunner.RunAsync(daemon.Host, "run", "-d", "busybox", "nope");

        Assert.Equal(127, r.ExitCode);
        Assert.Equal("Error: exec: \"nope\": executable file not found in $PATH\n", r.Err); // the 404 of the clean-up is not an error
        Assert.Equal($"DELETE /containers/{Id}?force=1", daemon.Lines[^1]);
    }

    [Fact]
    public async Task RunOfAnUnknownImageIs125WithTheDaemonsMessage()
    {
        using var daemon = new FakeDaemon().Answer(404, "Not Found", """{"message":"No such image: nope:latest"}""");
        var r = await CliRunner.RunAsync(daemon.Host, "run", "nope");
        Assert.Equal(125, r.ExitCode);
        Assert.Equal("Error: No such image: nope:latest\n", r.Err);
    }

    [Theory]
    [InlineData("-m", "lots")]
    [InlineData("--bogus", "x")]
    public async Task RunUsageErrorsAre125AndSendNothing(string flag, string value)
    {
        using var daemon = new FakeDaemon();
        var r = await CliRunner.RunAsync(daemon.Host, "run", flag, value, "busybox");
        Assert.Equal(125, r.ExitCode);
        Assert.EndsWith("See 'mydocker run --help'.\n", r.Err);
        Assert.Empty(daemon.Requests);
    }

    [Fact]
    public async Task RunTakesEnvValuesFromTheShell()
    {
        using var daemon = new FakeDaemon().Answer(201, "Created", Created).Answer(204, "No Content");
        var r = await CliRunner.RunWithEnvAsync(daemon.Host, new() { ["TOKEN"] = "s3cret" }, "run", "-d", "-e", "TOKEN", "-e", "MISSING", "busybox");
        Assert.Equal(0, r.ExitCode);
        Assert.Contains("\"Env\":[\"TOKEN=s3cret\"]", daemon.Requests.First().Body);
    }

    [Fact]
    public async Task RmWithTheFlagAfterTheOperand()
    {
        using var daemon = new FakeDaemon().Answer(204, "No Content");
        var r = await CliRunner.RunAsync(daemon.Host, "rm", "web", "-f");
        Assert.Equal(0, r.ExitCode);
        Assert.Equal("web\n", r.Out);
        Assert.Equal(["DELETE /containers/web?force=1"], daemon.Lines);
    }

    [Fact]
    public async Task StopGoesOnAfterAFailureAndExitsOne()
    {
        using var daemon = new FakeDaemon()
            .Answer(404, "Not Found", """{"message":"No such container: nope"}""")
            .Answer(304, "Not Modified")
            .Answer(204, "No Content");
        var r = await CliRunner.RunAsync(daemon.Host, "stop", "-t", "3", "nope", "stopped", "web");

        Assert.Equal(1, r.ExitCode);
        Assert.Equal("stopped\nweb\n", r.Out);
        Assert.Equal("Error: No such container: nope\n", r.Err);
        Assert.Equal(["POST /containers/nope/stop?t=3", "POST /containers/stopped/stop?t=3", "POST /containers/web/stop?t=3"], daemon.Lines);
    }

    [Fact]
    public async Task RmOfARunningContainerWithoutForcePrintsTheDaemonsMessage()
    {
        using var daemon = new FakeDaemon()
            .Answer(409, "Conflict", """{"message":"cannot remove container web: it is running; stop it first or use rm -f"}""")
            .Answer(204, "No Content");
        var r = await CliRunner.RunAsync(daemon.Host, "container", "rm", "web", "db");
        Assert.Equal(1, r.ExitCode);
        Assert.Equal("db\n", r.Out);
        Assert.Equal("Error: cannot remove container web: it is running; stop it first or use rm -f\n", r.Err);
        Assert.Equal(["DELETE /containers/web", "DELETE /containers/db"], daemon.Lines);
    }

    [Fact]
    public async Task StartRestartKillSendDockersPaths()
    {
        using var daemon = new FakeDaemon().Answer(204, "No Content").Answer(204, "No Content").Answer(204, "No Content").Answer(204, "No Content");
        Assert.Equal(0, (await CliRunner.RunAsync(daemon.Host, "start", "web")).ExitCode);
        Assert.Equal(0, (await CliRunner.RunAsync(daemon.Host, "restart", "--time=0", "web")).ExitCode);
        Assert.Equal(0, (await CliRunner.RunAsync(daemon.Host, "kill", "-s", "TERM", "web")).ExitCode);
        Assert.Equal(0, (await CliRunner.RunAsync(daemon.Host, "container", "stop", "web")).ExitCode);
        Assert.Equal(
            ["POST /containers/web/start", "POST /containers/web/restart?t=0", "POST /containers/web/kill?signal=TERM", "POST /containers/web/stop"],
            daemon.Lines);
    }

    [Fact]
    public async Task BadStopTimeoutIsAUsageError()
    {
        using var daemon = new FakeDaemon();
        var r = await CliRunner.RunAsync(daemon.Host, "stop", "-t", "soon", "web");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("\"soon\"", r.Err);
        Assert.Empty(daemon.Requests);
    }

    [Fact]
    public async Task LogsSendsTheQueryAndDemultiplexes()
    {
        using var daemon = new FakeDaemon().AnswerBytes(
            Frames((1, "2024-01-01T00:00:00.000000000Z out\n"), (2, "2024-01-01T00:00:01.000000000Z err\n")), chunkSize: 3);
        var r = await CliRunner.RunAsync(daemon.Host, "logs", "-t", "--tail", "5", "web");
        Assert.Equal(0, r.ExitCode);
        Assert.Equal("2024-01-01T00:00:00.000000000Z out\n", r.Out);
        Assert.Equal("2024-01-01T00:00:01.000000000Z err\n", r.Err);
        Assert.Equal(["GET /containers/web/logs?stdout=1&stderr=1&tail=5&timestamps=1"], daemon.Lines);
    }

    [Fact]
    public async Task LogsOfAnUnknownContainerIsTheDaemonsMessage()
    {
        using var daemon = new FakeDaemon().Answer(404, "Not Found", """{"message":"No such container: nope"}""");
        var r = await CliRunner.RunAsync(daemon.Host, "logs", "-f", "nope");
        Assert.Equal(1, r.ExitCode);
        Assert.Equal("Error: No such container: nope\n", r.Err);
        Assert.Equal(["GET /containers/nope/logs?stdout=1&stderr=1&follow=1"], daemon.Lines);
    }

    [Fact]
    public async Task BadTailIsAUsageError()
    {
        using var daemon = new FakeDaemon();
        var r = await CliRunner.RunAsync(daemon.Host, "logs", "-n", "-3", "web");
        Assert.Equal(2, r.ExitCode);
        Assert.Empty(daemon.Requests);
    }

    [Fact]
    public async Task PsSendsAllAndFiltersAndPrintsQuietIds()
    {
        using var daemon = new FakeDaemon().Answer(200, "OK", $$"""[{"Id":"{{Id}}","Names":["/web"]},{"Id":"abc","Names":["/db"]}]""");
        var r = await CliRunner.RunAsync(daemon.Host, "ps", "-aq", "-f", "status=exited");
        Assert.Equal(0, r.ExitCode);
        Assert.Equal("3f2a1b0c9d8e\nabc\n", r.Out);
        Assert.Equal(["GET /containers/json?all=1&filters=%7B%22status%22%3A%5B%22exited%22%5D%7D"], daemon.Lines);
    }

    [Fact]
    public async Task ContainerLsPrintsTheTable()
    {
        using var daemon = new FakeDaemon().Answer(200, "OK", """
            [{"Id":"ID","Names":["/web"],"Image":"busybox","Command":"sleep 1000","Created":0,"State":"exited",
              "Status":"Exited (137) 2 seconds ago","Ports":[],
              "NetworkSettings":{"Networks":{"testbr":{"IPAddress":"10.10.10.2"}}}}]
            """.Replace("ID", Id));
        var r = await CliRunner.RunAsync(daemon.Host, "container", "ls");
        Assert.Equal(0, r.ExitCode);
        var lines = r.Out.Split('\n');
        Assert.StartsWith("CONTAINER ID   NAME      IMAGE     COMMAND        CREATED", lines[0]);
        Assert.StartsWith("3f2a1b0c9d8e   web       busybox   \"sleep 1000\"   ", lines[1]);
        Assert.Contains(" ago   Exited (137) 2 seconds ago", lines[1]);
        Assert.EndsWith("   10.10.10.2", lines[1]);
        Assert.Equal(["GET /containers/json"], daemon.Lines);
    }

    [Fact]
    public async Task InspectPrintsAnArrayOfWhatWasFoundThenTheErrors()
    {
        using var daemon = new FakeDaemon()
            .Answer(200, "OK", """{"Id":"abc","State":{"Status":"running","Extra":1}}""")
            .Answer(404, "Not Found", """{"message":"No such container: nope"}""");
        var r = await CliRunner.RunAsync(daemon.Host, "inspect", "web", "nope");
        Assert.Equal(1, r.ExitCode);
        Assert.Equal(
            "[\n    {\n        \"Id\": \"abc\",\n        \"State\": {\n            \"Status\": \"running\",\n            \"Extra\": 1\n        }\n    }\n]\n",
            r.Out);
        Assert.Equal("Error: No such container: nope\n", r.Err);
        Assert.Equal(["GET /containers/web/json", "GET /containers/nope/json"], daemon.Lines);
    }

    [Fact]
    public async Task WaitPrintsEachExitCode()
    {
        using var daemon = new FakeDaemon()
            .Answer(200, "OK", """{"StatusCode":137}""")
            .Answer(404, "Not Found", """{"message":"No such container: nope"}""")
            .Answer(200, "OK", """{"StatusCode":0}""");
        var r = await CliRunner.RunAsync(daemon.Host, "wait", "web", "nope", "db");
        Assert.Equal(1, r.ExitCode);
        Assert.Equal("137\n0\n", r.Out);
        Assert.Equal("Error: No such container: nope\n", r.Err);
        Assert.Equal(["POST /containers/web/wait", "POST /containers/nope/wait", "POST /containers/db/wait"], daemon.Lines);
    }

    private static async Task CancelOnceAsync(FakeDaemon daemon, int requests, CancellationTokenSource interrupt)
    {
        while (daemon.Requests.Count < requests) await Task.Delay(10);
        interrupt.Cancel();
    }

    [Fact]
    public async Task CtrlCEndsAFollowedLogQuietly()
    {
        using var daemon = new FakeDaemon().AnswerOpenStream(Frames((1, "tick\n")));
        using var interrupt = new CancellationTokenSource();
        var run = CliRunner.RunCancellableAsync(daemon.Host, new(), interrupt.Token, "logs", "-f", "web");
        await CancelOnceAsync(daemon, 1, interrupt);
        var r = await run;
        Assert.Equal(130, r.ExitCode);
        Assert.Equal("", r.Err);
    }

    [Fact]
    public async Task CtrlCDuringAnAttachedRunIsForwardedAsSigint()
    {
        using var daemon = new FakeDaemon()
            .Answer(201, "Created", Created)
            .Answer(200, "OK", """{"StatusCode":130}""")
            .Answer(204, "No Content")
            .AnswerOpenStream(Frames((1, "running\n"))) // ends when the kill arrives, as the container exits on SIGINT
            .Answer(204, "No Content");
        using var interrupt = new CancellationTokenSource();
        var run = CliRunner.RunCancellableAsync(daemon.Host, new(), interrupt.Token, "run", "busybox", "sleep", "1000");
        await CancelOnceAsync(daemon, 4, interrupt);
        var r = await run;

        Assert.Equal(130, r.ExitCode);
        Assert.Equal("running\n", r.Out);
        Assert.Equal("", r.Err);
        Assert.Equal($"POST /containers/{Id}/kill?signal=SIGINT", daemon.Lines[^1]);
    }
}
