using System.Net;
using MyDocker.Resolver;
using MyDocker.Resolver.Names;
using MyDocker.Resolver.Records;
using static MyDocker.UnitTests.Resolver.DnsBytes;

namespace MyDocker.UnitTests.Resolver;

/// <summary>Records keyed by container: what one put, remove or replace makes the query path answer.</summary>
public sealed class ContainerTableTests
{
    private static ContainerRecord Record(string id, string network, string ip, string[] names, bool @internal = false,
        string[]? dns = null, (string Name, string Ip)[]? hosts = null, (string Network, string Ip, string[] Names)[]? more = null) =>
        new(id,
            [new ContainerEndpoint(network, IPAddress.Parse(ip), names, @internal),
             .. (more ?? []).Select(m => new ContainerEndpoint(m.Network, IPAddress.Parse(m.Ip), m.Names, @internal))],
            [.. (dns ?? []).Select(IPAddress.Parse)],
            [.. (hosts ?? []).Select(h => new HostEntry(h.Name, IPAddress.Parse(h.Ip)))]);

    /// <summary>"Found 10.1.0.2 10.2.0.2", "NotFound", "UnknownSource".</summary>
    private static string Resolve(ContainerTable table, string asker, string name)
    {
        var into = new uint[16];
        var status = table.Names.Current.Lookup(Address(asker), name, into, out var count);
        return string.Join(' ', [status.ToString(), .. into[..count].Select(a => new IPAddress(System.Buffers.Binary.BinaryPrimitives.ReverseEndianness(a)).ToString())]);
    }

    [Fact]
    public void A_put_answers_the_containers_names_to_the_containers_on_its_network()
    {
        var table = new ContainerTable();
        table.Put(Record("c1", "front", "10.1.0.2", ["web", "3f2a9c1b0d4e"]));
        table.Put(Record("c2", "front", "10.1.0.3", ["db"]));

        Assert.Equal("Found 10.1.0.2", Resolve(table, "10.1.0.3", "3F2A9C1B0D4E"));
        Assert.Equal("Found 10.1.0.3", Resolve(table, "10.1.0.2", "db"));
        Assert.Equal(2, table.Records.Count);
    }

    [Fact]
    public void A_second_put_replaces_the_first_whole()
    {
        var table = new ContainerTable();
        table.Put(Record("c1", "front", "10.1.0.2", ["web", "old-alias"], more: [("back", "10.2.0.2", ["web"])]));
        table.Put(Record("c2", "front", "10.1.0.3", ["db"], more: [("back", "10.2.0.3", ["db"])]));

        table.Put(Record("c1", "front", "10.1.0.5", ["web"]));   // disconnected from back, new address on front

        Assert.Equal("Found 10.1.0.5", Resolve(table, "10.1.0.3", "web"));
        Assert.Equal("NotFound", Resolve(table, "10.1.0.3", "old-alias"));
        Assert.Equal("UnknownSource", Resolve(table, "10.1.0.2", "db"));
        Assert.Equal("UnknownSource", Resolve(table, "10.2.0.2", "db"));
        Assert.Equal("Found 10.1.0.5", Resolve(table, "10.2.0.3", "web"));   // c2 still sees front from back
    }

    [Fact]
    public void A_repeated_put_changes_nothing()
    {
        var table = new ContainerTable();
        table.Put(Record("c1", "front", "10.1.0.2", ["web"]));
        table.Put(Record("c1", "front", "10.1.0.2", ["web"]));
        Assert.Equal("Found 10.1.0.2", Resolve(table, "10.1.0.2", "web"));
        Assert.Equal(1, table.Names.Current.NameCount);
    }

    [Fact]
    public void Hosts_entries_are_answered_to_their_own_container_only_and_before_its_networks_names()
    {
        var table = new ContainerTable();
        table.Put(Record("c1", "front", "10.1.0.2", ["web"], hosts: [("h1", "198.51.100.7"), ("db", "198.51.100.8")]));
        table.Put(Record("c2", "front", "10.1.0.3", ["db"]));

        Assert.Equal("Found 198.51.100.7", Resolve(table, "10.1.0.2", "H1"));
        Assert.Equal("Found 198.51.100.8", Resolve(table, "10.1.0.2", "db"));   // as the container's /etc/hosts says
        Assert.Equal("NotFound", Resolve(table, "10.1.0.3", "h1"));
        Assert.Equal("Found 10.1.0.3", Resolve(table, "10.1.0.3", "db"));
    }

    [Fact]
    public void A_containers_dns_and_internal_networks_reach_the_asker()
    {
        var table = new ContainerTable();
        table.Put(Record("c1", "front", "10.1.0.2", ["web"], dns: ["192.0.2.53"]));
        table.Put(Record("c2", "sealed", "10.3.0.2", ["vault"], @internal: true));
        table.Put(new ContainerRecord("c3",
            [new ContainerEndpoint("sealed", IPAddress.Parse("10.3.0.3"), ["app"], true),
             new ContainerEndpoint("front", IPAddress.Parse("10.1.0.4"), ["app"], false)], [], []));

        var c1 = table.Names.Current.AskerOf(Address("10.1.0.2"))!;
        Assert.Equal(("c1", true, "192.0.2.53"), (c1.Container, c1.Forwards, string.Join(' ', c1.Upstreams)));
        Assert.False(table.Names.Current.AskerOf(Address("10.3.0.2"))!.Forwards);
        Assert.True(table.Names.Current.AskerOf(Address("10.3.0.3"))!.Forwards);   // one network not internal
    }

    [Fact]
    public void An_unknown_name_from_an_internal_only_container_is_NXDOMAIN_and_not_forwarded()
    {
        var table = new ContainerTable();
        table.Put(Record("c2", "sealed", "10.3.0.2", ["vault"], @internal: true));
        var message = Query("example.com");

        var verdict = Responder.Respond(message, QueryBytes("example.com").Length, Address("10.3.0.2"), table.Names.Current, out var length);

        Assert.Equal((Verdict.Reply, "12 34 85 83"), (verdict, ToHex(message.AsSpan(0, 4))));
        Assert.Equal(QueryBytes("example.com").Length, length);
    }

    [Fact]
    public void A_remove_forgets_the_containers_names_and_addresses_and_is_idempotent()
    {
        var table = new ContainerTable();
        table.Put(Record("c1", "front", "10.1.0.2", ["web"]));
        table.Put(Record("c2", "front", "10.1.0.3", ["db"]));

        table.Remove("c1");
        table.Remove("c1");
        table.Remove("never-there");

        Assert.Equal("UnknownSource", Resolve(table, "10.1.0.2", "db"));
        Assert.Equal("NotFound", Resolve(table, "10.1.0.3", "web"));
        Assert.Equal(["c2"], table.Records.Keys);
    }

    [Fact]
    public void A_replace_holds_the_listed_containers_and_drops_the_others()
    {
        var table = new ContainerTable();
        table.Put(Record("c1", "front", "10.1.0.2", ["web"]));

        table.Replace([Record("c2", "front", "10.1.0.3", ["db"]), Record("c3", "front", "10.1.0.4", ["cache"])]);

        Assert.Equal("UnknownSource", Resolve(table, "10.1.0.2", "db"));
        Assert.Equal("Found 10.1.0.4", Resolve(table, "10.1.0.3", "cache"));
        Assert.Equal("NotFound", Resolve(table, "10.1.0.3", "web"));
        Assert.Equal(["c2", "c3"], table.Records.Keys.Order());
    }

    [Fact]
    public void An_address_held_by_another_container_is_refused_and_changes_nothing()
    {
        var changes = 0;
        var table = new ContainerTable(() => changes++);
        table.Put(Record("c1", "front", "10.1.0.2", ["web"]));
        var before = table.Names.Current;

        var error = Assert.Throws<ArgumentException>(() => table.Put(Record("c2", "front", "10.1.0.2", ["db"])));
        Assert.Throws<ArgumentException>(() => table.Replace([Record("c1", "front", "10.1.0.2", ["web"]), Record("c2", "front", "10.1.0.2", ["db"])]));
        Assert.Throws<ArgumentException>(() => table.Replace([Record("c1", "front", "10.1.0.2", ["web"]), Record("c1", "front", "10.1.0.3", ["web"])]));

        Assert.Contains("10.1.0.2 of container c2 on network front is container c1's", error.Message, StringComparison.Ordinal);
        Assert.Same(before, table.Names.Current);
        Assert.Equal(("c1", 1), (string.Join(' ', table.Records.Keys), changes));
    }

    [Theory]
    [InlineData("", "web", "10.1.0.2")]
    [InlineData("c1", "bad name", "10.1.0.2")]
    [InlineData("c1", "web", "fd00::2")]
    public void A_record_with_a_bad_id_name_or_address_cannot_be_made(string id, string name, string ip)
    {
        Assert.Throws<ArgumentException>(() => Record(id, "front", ip, [name]));
    }
}
