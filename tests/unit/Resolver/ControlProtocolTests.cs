using MyDocker.Resolver.Control;
using MyDocker.Resolver.Names;
using MyDocker.Resolver.Records;
using static MyDocker.UnitTests.Resolver.DnsBytes;

namespace MyDocker.UnitTests.Resolver;

/// <summary>The control protocol on lines: what each request does to the table and what a bad one is told.</summary>
public sealed class ControlProtocolTests
{
    private const string PutC1 =
        """{"op":"put","container":"c1","endpoints":[{"network":"n1","ip":"10.1.0.2","names":["web","3f2a9c1b0d4e"],"internal":false}],"dns":["192.0.2.53"],"hosts":[{"name":"h1","ip":"198.51.100.7"}]}""";
    private const string PutC2 = """{"op":"put","container":"c2","endpoints":[{"network":"n1","ip":"10.1.0.3","names":["db"]}]}""";

    private static LookupStatus Lookup(ContainerTable table, string asker, string name) =>
        table.Names.Current.Lookup(Address(asker), name, new uint[4], out _);

    [Fact]
    public void Put_remove_and_ping_answer_ok_and_change_the_table()
    {
        var table = new ContainerTable();
        var protocol = new ControlProtocol(table);

        Assert.Equal("""{"ok":true}""", protocol.Handle(PutC1));
        Assert.Equal("""{"ok":true}""", protocol.Handle(PutC2));
        Assert.Equal(LookupStatus.Found, Lookup(table, "10.1.0.3", "3f2a9c1b0d4e"));
        Assert.Equal(LookupStatus.Found, Lookup(table, "10.1.0.2", "h1"));
        Assert.Equal($$"""{"ok":true,"version":1,"pid":{{Environment.ProcessId}},"containers":2}""", protocol.Handle("""{"op":"ping"}"""));

        Assert.Equal("""{"ok":true}""", protocol.Handle("""{"op":"remove","container":"c1"}"""));
        Assert.Equal("""{"ok":true}""", protocol.Handle("""{"op":"remove","container":"c1"}"""));
        Assert.Equal(LookupStatus.UnknownSource, Lookup(table, "10.1.0.2", "db"));
        Assert.Equal(LookupStatus.NotFound, Lookup(table, "10.1.0.3", "web"));
    }

    [Fact]
    public void Replace_keeps_only_the_listed_containers()
    {
        var table = new ContainerTable();
        var protocol = new ControlProtocol(table);
        protocol.Handle(PutC1);

        Assert.Equal("""{"ok":true}""", protocol.Handle(
            """{"op":"replace","containers":[{"container":"c2","endpoints":[{"network":"n1","ip":"10.1.0.3","names":["db"],"internal":true}]}]}"""));

        Assert.Equal(["c2"], table.Records.Keys);
        Assert.Equal(LookupStatus.UnknownSource, Lookup(table, "10.1.0.2", "db"));
        Assert.False(table.Names.Current.AskerOf(Address("10.1.0.3"))!.Forwards);
    }

    [Fact]
    public void The_snapshot_text_is_a_replace_that_brings_back_the_same_records()
    {
        var table = new ContainerTable();
        var protocol = new ControlProtocol(table);
        protocol.Handle(PutC1);
        protocol.Handle(PutC2);
        var text = ControlProtocol.Serialize(table.Records.Values);

        var again = new ContainerTable();
        Assert.Equal("""{"ok":true}""", new ControlProtocol(again).Handle(text));

        Assert.Equal(text, ControlProtocol.Serialize(again.Records.Values));
        Assert.Contains("\"hosts\":[{\"name\":\"h1\",\"ip\":\"198.51.100.7\"}]", text, StringComparison.Ordinal);
        Assert.Equal(LookupStatus.Found, Lookup(again, "10.1.0.2", "db"));
    }

    [Theory]
    [InlineData("not json", "not valid control JSON")]
    [InlineData("""{"op":"put","container":"c9","bogus":1}""", "'bogus'")]
    [InlineData("""{"op":"put","container":"c9","endpoints":[{"network":"n1","ip":"10.1.0.9","names":["x"],"mtu":1}]}""", "'mtu'")]
    [InlineData("""{"op":"put","endpoints":[]}""", "container is missing")]
    [InlineData("""{"op":"put","container":"c9","endpoints":[{"network":"n1","ip":"10.1.9","names":["x"]}]}""", "endpoints[0].ip: \"10.1.9\" is not an IPv4 address")]
    [InlineData("""{"op":"put","container":"c9","endpoints":[{"network":"n1","ip":"fd00::9","names":["x"]}]}""", "endpoints[0].ip")]
    [InlineData("""{"op":"put","container":"c9","endpoints":[{"ip":"10.1.0.9","names":["x"]}]}""", "endpoints[0].network is missing")]
    [InlineData("""{"op":"put","container":"c9","endpoints":[{"network":"n1","ip":"10.1.0.9","names":["ok","bad name"]}]}""", "endpoints[0].names[1]: resolver name 'bad name'")]
    [InlineData("""{"op":"put","container":"c9","endpoints":[{"network":"n1","ip":"10.1.0.2","names":["x"]}]}""", "is container c1's")]
    [InlineData("""{"op":"put","container":"c9","dns":["dns.example"]}""", "dns[0]: \"dns.example\" is not an IP address")]
    [InlineData("""{"op":"put","container":"c9","hosts":[{"name":"h","ip":"::1"}]}""", "hosts[0].ip")]
    [InlineData("""{"op":"put","container":"c9","dns":["192.0.2.53","127.0.0.11"]}""", "dns[1]: 127.0.0.11 is a loopback address")]
    [InlineData("""{"op":"put","container":"c9","containers":[]}""", "op \"put\" does not take \"containers\"")]
    [InlineData("""{"op":"remove","container":"c1","endpoints":[]}""", "op \"remove\" does not take \"endpoints\"")]
    [InlineData("""{"op":"remove"}""", "container is missing")]
    [InlineData("""{"op":"replace","containers":[{"container":"c3"},{"container":"c4","endpoints":[{"network":"n1","ip":"x","names":[]}]}]}""", "containers[1].endpoints[0].ip")]
    [InlineData("""{"op":"replace","containers":[{"container":"c3"},{"container":"c3"}]}""", "c3 is listed twice")]
    [InlineData("""{"op":"Put","container":"c9"}""", "op \"Put\" is not known")]
    [InlineData("""{"container":"c9"}""", "no \"op\"")]
    [InlineData("""{"op":"ping","container":"c9"}""", "op \"ping\" does not take \"container\"")]
    public void A_bad_request_is_refused_with_the_field_named_and_changes_nothing(string line, string error)
    {
        var table = new ContainerTable();
        var protocol = new ControlProtocol(table);
        protocol.Handle(PutC1);
        var before = (table.Names.Current, table.Records);

        var reply = protocol.Handle(line);

        Assert.StartsWith("""{"ok":false,"error":""", reply, StringComparison.Ordinal);
        Assert.Contains(error, System.Text.Json.JsonDocument.Parse(reply).RootElement.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Same(before.Current, table.Names.Current);
        Assert.Same(before.Records, table.Records);
    }
}
