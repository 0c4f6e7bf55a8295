using System.Net;
using MyDocker.Resolver.Names;
using static MyDocker.UnitTests.Resolver.DnsBytes;

namespace MyDocker.UnitTests.Resolver;

/// <summary>Edits of the name table: one step for readers, nothing published when a change is refused.</summary>
public sealed class NameTableEditTests
{
    private static readonly IPAddress Web = IPAddress.Parse("10.1.0.2");
    private static readonly IPAddress Db = IPAddress.Parse("10.1.0.3");

    private static NameTable WebOnFront()
    {
        var table = new NameTable();
        table.Replace(new NameSnapshotBuilder().AddName("front", "web", Web).SetSource(Web, "front").Build());
        return table;
    }

    private static LookupStatus Lookup(NameSnapshot names, IPAddress asker, string name) =>
        names.Lookup(ResolverName.ToHostOrder(asker), name, new uint[8], out _);

    [Fact]
    public void A_containers_names_and_source_appear_together_when_the_edit_ends()
    {
        var table = WebOnFront();
        var before = table.Current;
        var seenDuring = LookupStatus.Found;

        table.Edit(e =>
        {
            e.AddName("front", "db", Db);
            e.AddName("front", "database", Db);
            e.SetSource(Db, "front");
            seenDuring = Lookup(table.Current, Web, "db");
        });

        Assert.Equal(LookupStatus.NotFound, seenDuring);
        Assert.Equal(LookupStatus.NotFound, Lookup(before, Web, "database"));
        Assert.Equal(LookupStatus.Found, Lookup(table.Current, Web, "database"));
        Assert.Equal(LookupStatus.Found, Lookup(table.Current, Db, "web"));
    }

    [Fact]
    public void An_edit_with_a_refused_change_publishes_none_of_its_changes()
    {
        var table = WebOnFront();
        var before = table.Current;

        Assert.Throws<ArgumentException>(() => table.Edit(e =>
        {
            e.AddName("front", "db", Db);
            e.SetSource(Db, "front");
            e.AddName("front", "not a name", Db);
        }));

        Assert.Same(before, table.Current);
    }

    [Fact]
    public void A_change_that_is_already_there_publishes_no_new_snapshot()
    {
        var table = WebOnFront();
        var before = table.Current;

        table.AddName("front", "web", Web);
        table.RemoveName("front", "db", Db);
        table.RemoveName("back", "web", Web);
        table.RemoveSource(Db);
        table.Edit(_ => { });

        Assert.Same(before, table.Current);
    }

    [Fact]
    public void A_network_removed_and_filled_again_in_one_edit_holds_only_the_new_names()
    {
        var table = WebOnFront();

        table.Edit(e =>
        {
            e.RemoveNetwork("front");
            e.AddName("front", "db", Db);
        });

        Assert.Equal(LookupStatus.NotFound, Lookup(table.Current, Web, "web"));
        var into = new uint[2];
        table.Current.Lookup(ResolverName.ToHostOrder(Web), "db", into, out var count);
        Assert.Equal([Address("10.1.0.3")], into[..count]);
    }

    [Fact]
    public void An_edit_cannot_be_used_after_it_ended()
    {
        var table = WebOnFront();
        NameTableEdit? kept = null;
        table.Edit(e => kept = e);

        var error = Assert.Throws<InvalidOperationException>(() => kept!.AddName("front", "db", Db));
        Assert.Contains("has ended", error.Message, StringComparison.Ordinal);
        Assert.Throws<InvalidOperationException>(() => kept!.AddName("front", "web", Web)); // a no-op is refused too
        Assert.Equal(LookupStatus.NotFound, Lookup(table.Current, Web, "db"));
    }
}
