using MyDocker.Engine;
using MyDocker.Engine.Ports;
using MyDocker.Shared.Ports;

namespace MyDocker.UnitTests.Ports;

public sealed class PortPlannerTests
{
    [Fact]
    public void Two_requests_for_one_fixed_port_are_refused_also_across_wildcard_and_specific_addresses()
    {
        var any = new PortRequest("tcp", "0.0.0.0", 8080, 8080, 80);
        var local = new PortRequest("tcp", "127.0.0.1", 8080, 8080, 81);
        var e = Assert.Throws<EngineException>(() => PortPlanner.Validate([any, local], "net", internalNetwork: false));
        Assert.Contains("both publish 8080/tcp on 0.0.0.0", e.Message);
        Assert.Throws<EngineException>(() => PortPlanner.Validate([local, any], "net", internalNetwork: false));
        Assert.Throws<EngineException>(() => PortPlanner.Validate([local, local with { ContainerPort = 90 }], "net", internalNetwork: false));
    }

    [Fact]
    public void Different_protocols_addresses_or_ports_may_share_the_rest()
    {
        PortPlanner.Validate(
            [
                new PortRequest("tcp", "0.0.0.0", 8080, 8080, 80),
                new PortRequest("udp", "0.0.0.0", 8080, 8080, 80),
                new PortRequest("tcp", "127.0.0.1", 8081, 8081, 80),
                new PortRequest("tcp", "127.0.0.2", 8082, 8082, 80),
                new PortRequest("tcp", "127.0.0.3", 8082, 8082, 80),
                new PortRequest("tcp", "0.0.0.0", 0, 0, 80),
                new PortRequest("tcp", "0.0.0.0", 0, 0, 80),
            ], "net", internalNetwork: false);
    }

    [Fact]
    public void An_internal_network_cannot_publish()
    {
        var e = Assert.Throws<EngineException>(() => PortPlanner.Validate([new PortRequest("tcp", "0.0.0.0", 8080, 8080, 80)], "vault", internalNetwork: true));
        Assert.Contains("network 'vault' is internal", e.Message);
        PortPlanner.Validate([], "vault", internalNetwork: true);
    }

    [Fact]
    public void Collisions_follow_the_kernels_bind_rule()
    {
        var any = new PublishedPort("tcp", "0.0.0.0", 8080, 80);
        var local = new PublishedPort("tcp", "127.0.0.1", 8080, 80);
        Assert.True(any.CollidesWith("tcp", "127.0.0.1", 8080));
        Assert.True(local.CollidesWith("tcp", "0.0.0.0", 8080));
        Assert.False(local.CollidesWith("tcp", "127.0.0.2", 8080));
        Assert.False(local.CollidesWith("udp", "127.0.0.1", 8080));
        Assert.False(any.CollidesWith("tcp", "0.0.0.0", 8081));
    }
}
