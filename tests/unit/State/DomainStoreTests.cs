using System.Net;
using Microsoft.EntityFrameworkCore;
using MyDocker.Engine.Containers;
using MyDocker.Engine.Networks;
using MyDocker.Engine.Networks.Ipam;
using MyDocker.Engine.Ports;
using MyDocker.Engine.State;

namespace MyDocker.UnitTests.State;

/// <summary>Networks and containers are stored exactly as the Networks and Containers tables have always held them, come
/// back as the same typed values, and a stored value that does not parse is reported with the object and column named.</summary>
public sealed class DomainStoreTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("mydocker-unit-rows-").FullName;
    private readonly StateDbFactory _state;

    public DomainStoreTests()
    {
        _state = new StateDbFactory(Path.Combine(_dir, "mydocker.db"));
        _state.Migrate();
    }

    private static readonly DateTimeOffset Created = new(2026, 12, 3, 16, 0, 0, TimeSpan.Zero);

    private static Network Web() => new(
        new string('a', 64), "web", "bridge", IPv4Subnet.Parse("10.1.0.0/16"), IPAddress.Parse("10.1.0.1"), IPv4Subnet.Parse("10.1.2.0/24"),
        "md-aaaaaaaaaaaa", Internal: true, NetworkPhase.Ready, Created,
        new Dictionary<string, string> { ["com.docker.network.bridge.name"] = "md-aaaaaaaaaaaa" }, new Dictionary<string, string> { ["team"] = "a" });

    private static Container App() => new(
        new string('c', 64), "app", "busybox", "sha256:" + new string('1', 64),
        new ContainerSpec { Cmd = ["sleep", "9"], Command = ["sleep", "9"], Ports = [new PublishedPort("tcp", "127.0.0.1", 8080, 80)] },
        [new Endpoint(new string('a', 64), IPAddress.Parse("10.1.2.3"), "02:42:0a:01:02:03"),
         new Endpoint(new string('d', 64), IPAddress.Parse("10.2.0.5"), "02:42:0a:02:00:05")
         { InterfaceIndex = 1, Aliases = ["db", "cache"], StaticIp = IPAddress.Parse("10.2.0.5") }],
        ContainerPhase.Exited, Created)
    {
        StartedAt = Created.AddSeconds(1), FinishedAt = Created.AddSeconds(2), ExitCode = 137, OomKilled = true, Error = "why", AutoRemove = true,
        RestartCount = 2,
    };

    [Fact]
    public async Task A_network_is_stored_in_the_tables_old_text_form_and_read_back_equal()
    {
        await using (var db = _state.Create()) await db.AddNetworkAsync(Web(), default);

        await using (var db = _state.Create())
        {
            var row = await db.Networks.AsNoTracking().SingleAsync();
            Assert.Equal(("10.1.0.0/16", "10.1.0.1", "10.1.2.0/24", "md-aaaaaaaaaaaa", NetworkPhase.Ready),
                (row.Subnet, row.Gateway, row.IpRange, row.Bridge, row.Phase));
            Assert.Equal("""{"com.docker.network.bridge.name":"md-aaaaaaaaaaaa"}""", row.OptionsJson);
            Assert.Equal("""{"team":"a"}""", row.LabelsJson);

            var back = await db.ResolveNetworkAsync("web", default);
            Assert.Equal(Web() with { Options = back.Options, Labels = back.Labels }, back);
            Assert.Equal(Web().Options, back.Options);
            Assert.Equal(Web().Labels, back.Labels);
        }
    }

    [Fact]
    public async Task A_container_is_stored_in_the_tables_old_text_form_and_read_back_equal()
    {
        await using (var db = _state.Create()) await db.AddContainerAsync(App(), default);

        await using (var db = _state.Create())
        {
            var row = await db.Containers.AsNoTracking().SingleAsync();
            var endpoints = await db.ContainerEndpoints.AsNoTracking().OrderBy(e => e.Position).ToListAsync();
            Assert.Equal([(new string('a', 64), 0, 0, "10.1.2.3", "02:42:0a:01:02:03", "[]", (string?)null),
                          (new string('d', 64), 1, 1, "10.2.0.5", "02:42:0a:02:00:05", """["db","cache"]""", "10.2.0.5")],
                endpoints.Select(e => (e.NetworkId, e.Position, e.InterfaceIndex, e.IpAddress, e.MacAddress, e.AliasesJson, e.StaticIp)));
            // The spec as ContainerService has always written it: System.Text.Json's default form of ContainerSpec.
            Assert.Equal(System.Text.Json.JsonSerializer.Serialize(App().Spec), row.SpecJson);
            Assert.Contains("\"HostIp\":\"127.0.0.1\",\"HostPort\":8080", row.SpecJson);

            var back = (await db.FindContainerAsync(App().Id))!;
            Assert.Equal(App() with { Spec = back.Spec, Endpoints = back.Endpoints }, back);
            Assert.Equal(App().Endpoints, back.Endpoints);
            Assert.Equal(App().Spec.Ports, back.Spec.Ports);
            Assert.Equal(App().Spec.Command, back.Spec.Command);
        }
    }

    [Fact]
    public async Task An_update_writes_only_the_columns_that_changed()
    {
        // A spec stored by an older daemon, in a form the engine would not write today: a phase change leaves it as it is.
        await using (var db = _state.Create())
        {
            db.Containers.Add(new ContainerEntity { Id = App().Id, Name = "app", Image = "busybox", ImageId = "x", SpecJson = """{ "Env" : [] }""" });
            db.ContainerEndpoints.Add(new ContainerEndpointEntity { ContainerId = App().Id, NetworkId = "n" });
            await db.SaveChangesAsync();
        }
        await using (var db = _state.Create())
        {
            var before = (await db.FindContainerAsync(App().Id))!;
            await db.UpdateContainerAsync(before, before with { Phase = ContainerPhase.Running, Pid = 42 });
        }
        await using (var db = _state.Create())
        {
            var row = await db.Containers.AsNoTracking().SingleAsync();
            Assert.Equal((ContainerPhase.Running, 42, """{ "Env" : [] }"""), (row.Phase, row.Pid, row.SpecJson));
        }
    }

    [Fact]
    public async Task An_update_adds_changes_and_deletes_endpoint_rows_and_the_order_follows_the_list()
    {
        await using (var db = _state.Create()) await db.AddContainerAsync(App(), default);
        var third = new Endpoint(new string('e', 64), null, null) { InterfaceIndex = 0, Phase = EndpointPhase.Connecting };
        await using (var db = _state.Create())
        {
            var before = (await db.FindContainerAsync(App().Id))!;
            // The primary leaves, the second becomes first, a new one is being connected as eth0.
            await db.UpdateContainerAsync(before, before with { Endpoints = [before.Endpoints[1] with { Aliases = ["db"] }, third] });
        }
        await using (var db = _state.Create())
        {
            var back = (await db.FindContainerAsync(App().Id))!;
            Assert.Equal([(new string('d', 64), "eth1", "db"), (new string('e', 64), "eth0", "")],
                back.Endpoints.Select(e => (e.NetworkId, e.Interface, string.Join(',', e.Aliases))));
            Assert.Equal(EndpointPhase.Connecting, back.Endpoints[1].Phase);
            Assert.Equal(new string('d', 64), back.Primary.NetworkId);
            Assert.Single(await db.ContainersOnNetworkAsync(new string('e', 64)));
            Assert.Empty(await db.ContainersOnNetworkAsync(new string('a', 64)));
            await db.DeleteContainerAsync(App().Id);
            Assert.Equal(0, await db.ContainerEndpoints.CountAsync());
        }
    }

    [Theory]
    [InlineData(nameof(NetworkEntity.Subnet), "10.1.0/16", "subnet '10.1.0/16'")]
    [InlineData(nameof(NetworkEntity.Gateway), "10.1.0.1.7", "gateway '10.1.0.1.7'")]
    [InlineData(nameof(NetworkEntity.IpRange), "fd00::/64", "ip range 'fd00::/64'")]
    [InlineData(nameof(NetworkEntity.Bridge), "a bridge name too long", "bridge 'a bridge name too long'")]
    [InlineData(nameof(NetworkEntity.OptionsJson), "{oops", "options '{oops'")]
    public async Task A_malformed_stored_network_value_names_the_network_and_the_column(string column, string value, string expected)
    {
        await using (var db = _state.Create()) await db.AddNetworkAsync(Web(), default);
        await Corrupt("Networks", column, value);

        await using var read = _state.Create();
        var e = await Assert.ThrowsAsync<InvalidDataException>(() => read.AllNetworksAsync(default));
        Assert.StartsWith("network 'web' (aaaaaaaaaaaa) in the Networks table has a malformed " + expected, e.Message);
        Assert.Contains("cannot use this network until that row of the state database (<data-root>/mydocker.db) is repaired", e.Message);
    }

    [Theory]
    [InlineData(nameof(ContainerEntity.SpecJson), """{"Cmd": 7}""", "spec '{\"Cmd\": 7}'")]
    [InlineData("ContainerEndpoints." + nameof(ContainerEndpointEntity.IpAddress), "10.1.2", "IP address '10.1.2'")]
    [InlineData("ContainerEndpoints." + nameof(ContainerEndpointEntity.AliasesJson), "[1", "aliases '[1'")]
    public async Task A_malformed_stored_container_value_names_the_container_and_the_column(string column, string value, string expected)
    {
        await using (var db = _state.Create()) await db.AddContainerAsync(App(), default);
        await Corrupt(column.Contains('.') ? column.Split('.')[0] : "Containers", column.Split('.')[^1], value);

        await using var read = _state.Create();
        var e = await Assert.ThrowsAsync<InvalidDataException>(() => read.ResolveContainerAsync("app", default));
        Assert.StartsWith("container 'app' (cccccccccccc) in the Containers table has a malformed " + expected, e.Message);
        Assert.Contains("cannot use this container until that row of the state database (<data-root>/mydocker.db) is repaired", e.Message);
    }

    /// <summary>What a hand edit or a damaged file leaves: one column of the one row set to <paramref name="value"/>.</summary>
    private async Task Corrupt(string table, string column, string value)
    {
        await using var db = _state.Create();
        // Table and column come from this class's own constants, never from input.
        string sql = "UPDATE \"" + table + "\" SET \"" + column + "\" = {0}";
        await db.Database.ExecuteSqlRawAsync(sql, value);
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}
