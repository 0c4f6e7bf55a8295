using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using MyDocker.Engine.Containers;
using MyDocker.Engine.State;
using MyDocker.UnitTests.Fakes;

namespace MyDocker.UnitTests.State;

/// <summary>
/// The ContainerEndpoints migration on a database made by the migration before it (one network, address and MAC per
/// row of Containers, as every daemon before several networks wrote them): each container keeps its network, address
/// and MAC as its eth0 endpoint, and the engine reads it back.
/// </summary>
public sealed class ContainerEndpointsMigrationTests : IDisposable
{
    private const string Previous = "20261124081245_Containers";
    private readonly string _dir = MigratedDatabase.NewDirectory("mydocker-unit-migrate-");
    private readonly StateDbFactory _state;

    public ContainerEndpointsMigrationTests() => _state = new StateDbFactory(Path.Combine(_dir, "mydocker.db"));

    [Fact]
    public async Task Each_containers_network_address_and_mac_become_its_eth0_endpoint()
    {
        string web = new('a', 64), half = new('b', 64), net = new('c', 64);
        await using (var db = _state.Create())
        {
            db.GetService<IMigrator>().Migrate(Previous);
            await db.Database.ExecuteSqlRawAsync(
                "INSERT INTO Containers (Id, Name, Image, ImageId, SpecJson, NetworkId, IpAddress, MacAddress, Phase, Created, OomKilled, AutoRemove, RestartCount) VALUES " +
                "({0}, 'web', 'busybox', 'sha256:x', '{{}}', {2}, '10.1.0.2', '02:42:0a:01:00:02', 2, '2026-12-01 10:00:00+00:00', 0, 0, 0), " +
                "({1}, 'half', 'busybox', 'sha256:x', '{{}}', {2}, NULL, NULL, 0, '2026-12-01 10:00:00+00:00', 0, 0, 0)",
                web, half, net);
        }
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();

        _state.Migrate();

        await using (var db = _state.Create())
        {
            var running = (await db.FindContainerAsync(web))!;
            var e = Assert.Single(running.Endpoints);
            Assert.Equal((net, IPAddress.Parse("10.1.0.2"), "02:42:0a:01:00:02", "eth0", EndpointPhase.Attached, 0, (IPAddress?)null),
                (e.NetworkId, e.Ip, e.Mac, e.Interface, e.Phase, e.Aliases.Count, e.StaticIp));
            Assert.Equal(ContainerPhase.Running, running.Phase);
            var creating = (await db.FindContainerAsync(half))!;
            Assert.Equal((net, (IPAddress?)null), (creating.Primary.NetworkId, creating.Primary.Ip));
            Assert.Equal(2, await db.ContainerEndpoints.CountAsync());
        }
    }

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_dir, recursive: true);
    }
}
