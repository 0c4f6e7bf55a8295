using System.Net;
using MyDocker.Resolver.Names;
using static MyDocker.UnitTests.Resolver.DnsBytes;

namespace MyDocker.UnitTests.Resolver;

/// <summary>The name table's semantics: who sees which names (Docker's rules for user-defined networks), and how
/// changes and a whole replace reach readers.</summary>
public sealed class NameTableTests
{
    private static readonly IPAddress Web = IPAddress.Parse("10.1.0.2");      // on front
    private static readonly IPAddress ApiA = IPAddress.Parse("10.1.0.3");     // on front
    private static readonly IPAddress ApiB = IPAddress.Parse("10.1.0.4");     // on front
    private static readonly IPAddress DbBack = IPAddress.Parse("10.2.0.2");   // db on back
    private static readonly IPAddress DbFront = IPAddress.Parse("10.1.0.9");  // db on front too
    private static readonly IPAddress Worker = IPAddress.Parse("10.2.0.3");   // on back only

    private static uint[] Resolve(NameSnapshot names, IPAddress asker, string name, out LookupStatus status)
    {
        var into = new uint[32];
        status = names.Lookup(ResolverName.ToHostOrder(asker), name, into, out var count);
        return into[..count];
    }

    private static uint[] Resolve(NameSnapshot names, IPAddress asker, string name) => Resolve(names, asker, name, out _);

    /// <summary>front: web, api ×2 (shared alias), db; back: db, worker. db is on both networks.</summary>
    private static NameSnapshot TwoNetworks() => new NameSnapshotBuilder()
        .AddName("front", "web", Web)
        .AddName("front", "api", ApiA).AddName("front", "api", ApiB)
        .AddName("front", "db", DbFront).AddName("back", "db", DbBack)
        .AddName("back", "worker", Worker)
        .SetSource(Web, "front").SetSource(ApiA, "front").SetSource(ApiB, "front")
        .SetSource(DbFront, "front", "back").SetSource(DbBack, "front", "back")
        .SetSource(Worker, "back")
        .Build();

    [Fact]
    public void A_shared_alias_answers_every_container_that_holds_it()
    {
        Assert.Equal([Address("10.1.0.3"), Address("10.1.0.4")], Resolve(TwoNetworks(), Web, "api"));
    }

    [Fact]
    public void A_name_is_answered_in_any_case()
    {
        Assert.Equal([Address("10.1.0.2")], Resolve(TwoNetworks(), ApiA, "WeB"));
    }

    [Fact]
    public void A_container_on_two_networks_gets_a_name_from_both_and_asks_with_either_address()
    {
        var names = TwoNetworks();
        var expected = new[] { Address("10.1.0.2") };

        Assert.Equal(expected, Resolve(names, DbFront, "web"));
        Assert.Equal(expected, Resolve(names, DbBack, "web"));  // web is on front only, asked from db's back address
        Assert.Equal([Address("10.2.0.3")], Resolve(names, DbFront, "worker"));
        Assert.Equal([Address("10.1.0.9"), Address("10.2.0.2")], Resolve(names, DbBack, "db"));
    }

    [Fact]
    public void Names_do_not_cross_to_a_network_the_asker_is_not_on()
    {
        var names = TwoNetworks();

        Assert.Empty(Resolve(names, Web, "worker", out var fromFront));
        Assert.Equal(LookupStatus.NotFound, fromFront);
        Assert.Empty(Resolve(names, Worker, "web", out var fromBack));
        Assert.Equal(LookupStatus.NotFound, fromBack);
        // db is on both, but worker only sees its address on back.
        Assert.Equal([Address("10.2.0.2")], Resolve(names, Worker, "db"));
    }

    [Fact]
    public void An_address_that_is_no_containers_is_refused_even_for_a_known_name()
    {
        Resolve(TwoNetworks(), IPAddress.Parse("10.1.0.1"), "web", out var status);
        Assert.Equal(LookupStatus.UnknownSource, status);
    }

    [Fact]
    public void Lookup_writes_no_more_than_the_room_it_is_given()
    {
        var into = new uint[1];
        var status = TwoNetworks().Lookup(Address("10.1.0.2"), "api", into, out var count);
        Assert.Equal((LookupStatus.Found, 1, Address("10.1.0.3")), (status, count, into[0]));
    }

    [Fact]
    public void Replace_swaps_the_whole_table_and_a_snapshot_already_taken_keeps_its_records()
    {
        var table = new NameTable();
        table.Replace(TwoNetworks());
        var before = table.Current;

        table.Replace(new NameSnapshotBuilder().AddName("front", "cache", IPAddress.Parse("10.1.0.7")).SetSource(Web, "front").Build());

        Assert.Equal([Address("10.1.0.7")], Resolve(table.Current, Web, "cache"));
        Assert.Empty(Resolve(table.Current, Web, "api"));
        Resolve(table.Current, Worker, "db", out var gone);
        Assert.Equal(LookupStatus.UnknownSource, gone);
        Assert.Equal([Address("10.1.0.3"), Address("10.1.0.4")], Resolve(before, Web, "api"));
    }

    [Fact]
    public void Changes_are_seen_by_the_next_lookup_and_never_by_a_snapshot_taken_before()
    {
        var table = new NameTable();
        table.Replace(TwoNetworks());
        var before = table.Current;

        table.AddName("front", "api", IPAddress.Parse("10.1.0.5"));
        table.RemoveName("front", "web", Web);
        table.SetSource(Worker, "back", "front");

        Assert.Equal([Address("10.1.0.3"), Address("10.1.0.4"), Address("10.1.0.5")], Resolve(table.Current, Web, "api"));
        Assert.Empty(Resolve(table.Current, ApiA, "web"));
        Assert.Equal([Address("10.1.0.3"), Address("10.1.0.4"), Address("10.1.0.5")], Resolve(table.Current, Worker, "api"));
        Assert.Equal([Address("10.1.0.3"), Address("10.1.0.4")], Resolve(before, Web, "api"));
        Assert.Equal([Address("10.1.0.2")], Resolve(before, ApiA, "web"));
        Assert.Empty(Resolve(before, Worker, "api"));
    }

    [Fact]
    public void A_shared_alias_loses_one_address_at_a_time_and_changes_are_idempotent()
    {
        var table = new NameTable();
        table.Replace(TwoNetworks());

        table.AddName("front", "api", ApiA);       // already there
        table.RemoveName("front", "api", ApiA);
        table.RemoveName("front", "api", ApiA);    // already gone
        Assert.Equal([Address("10.1.0.4")], Resolve(table.Current, Web, "api"));

        table.RemoveName("front", "api", ApiB);
        Resolve(table.Current, Web, "api", out var status);
        Assert.Equal(LookupStatus.NotFound, status);
        Assert.Equal(4, table.Current.NameCount); // front: web, db; back: db, worker (api went with its last address)
    }

    [Fact]
    public void Removing_a_network_or_a_source_forgets_only_that()
    {
        var table = new NameTable();
        table.Replace(TwoNetworks());

        table.RemoveNetwork("back");
        table.RemoveSource(Web);

        Assert.Equal([Address("10.1.0.9")], Resolve(table.Current, DbBack, "db"));
        Resolve(table.Current, Web, "api", out var status);
        Assert.Equal(LookupStatus.UnknownSource, status);
        Assert.Equal([Address("10.1.0.2")], Resolve(table.Current, ApiA, "web"));
    }

    [Theory]
    [InlineData("")]
    [InlineData("db.")]
    [InlineData(".db")]
    [InlineData("a..b")]
    [InlineData("d b")]
    [InlineData("dé")]
    [InlineData("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")] // 64
    public void A_name_that_is_no_DNS_name_is_refused_by_name_and_changes_nothing(string bad)
    {
        var table = new NameTable();
        table.Replace(TwoNetworks());
        var before = table.Current;

        var error = Assert.Throws<ArgumentException>(() => table.AddName("front", bad, Web));

        Assert.Contains($"'{bad}'", error.Message, StringComparison.Ordinal);
        Assert.Same(before, table.Current);
    }

    [Fact]
    public void Other_bad_records_are_refused_and_change_nothing()
    {
        var table = new NameTable();
        table.Replace(TwoNetworks());
        var before = table.Current;

        Assert.Contains("not IPv4", Assert.Throws<ArgumentException>(() => table.AddName("front", "v6", IPAddress.IPv6Loopback)).Message, StringComparison.Ordinal);
        Assert.Contains("at least one network", Assert.Throws<ArgumentException>(() => table.SetSource(Web)).Message, StringComparison.Ordinal);
        Assert.Contains("network id 'a b'", Assert.Throws<ArgumentException>(() => table.AddName("a b", "x", Web)).Message, StringComparison.Ordinal);
        Assert.Same(before, table.Current);

        var builder = new NameSnapshotBuilder();
        builder.Build();
        Assert.Throws<InvalidOperationException>(() => builder.AddName("front", "x", Web));
    }
}
