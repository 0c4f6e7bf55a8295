using Bunit;
using MyDocker.Engine.Networks;
using MyDocker.Engine.Networks.Ipam;
using MyDocker.Web.Dashboard.Networks;

namespace MyDocker.UnitTests.Dashboard;

public class NetworkCreateFormTests : DashboardTestContext
{
    // Inputs in the order the form shows them; each has a visible <label>.
    private static readonly string[] Labels = ["Name", "Subnet (CIDR)", "Gateway", "IP range (CIDR)"];

    private static AngleSharp.Dom.IElement Input(IRenderedComponent<NetworkCreateForm> cut, string label) =>
        cut.FindAll("input")[Array.IndexOf(Labels, label)];

    [Fact]
    public void Every_field_has_a_visible_label()
    {
        var cut = Render<NetworkCreateForm>();
        var labels = cut.FindAll("label").Select(l => l.TextContent.Trim()).ToList();
        foreach (var l in Labels) Assert.Contains(l, labels);
        Assert.Contains(labels, l => l.StartsWith("Internal"));
    }

    [Fact]
    public void Messages_appear_under_the_field_as_the_user_types()
    {
        Engine.Networks.Add(FakeDashboardEngine.Row("web", "10.1.0.0/24"));
        var cut = Render<NetworkCreateForm>();
        Input(cut, "Name").Input("web");
        cut.WaitForAssertion(() => Assert.Contains("network named 'web' already exists", cut.Markup));

        Input(cut, "Name").Input("db");
        Input(cut, "Subnet (CIDR)").Input("10.1.0.0/33");
        cut.WaitForAssertion(() => Assert.Contains("invalid subnet", cut.Markup));

        Input(cut, "Subnet (CIDR)").Input("10.1.0.0/16");
        cut.WaitForAssertion(() => Assert.Contains("overlaps network 'web' (10.1.0.0/24)", cut.Markup));

        Input(cut, "Subnet (CIDR)").Input("10.2.0.0/24");
        Input(cut, "Gateway").Input("10.3.0.1");
        cut.WaitForAssertion(() => Assert.Contains("gateway 10.3.0.1 is outside subnet 10.2.0.0/24", cut.Markup));

        Input(cut, "Gateway").Input("");
        Input(cut, "IP range (CIDR)").Input("10.9.0.0/28");
        cut.WaitForAssertion(() => Assert.Contains("ip-range 10.9.0.0/28 is not inside subnet 10.2.0.0/24", cut.Markup));

        Input(cut, "IP range (CIDR)").Input("10.2.0.0/28");
        cut.WaitForAssertion(() => Assert.DoesNotContain("mud-input-error", cut.Markup));
    }

    [Fact]
    public void Host_routes_count_as_overlaps()
    {
        Engine.HostRoutes.Add(new OccupiedSubnet(IPv4Subnet.Parse("192.168.1.0/24"), "the host route 192.168.1.0/24 dev eth0"));
        var cut = Render<NetworkCreateForm>();
        Input(cut, "Name").Input("lan");
        Input(cut, "Subnet (CIDR)").Input("192.168.0.0/16");
        cut.WaitForAssertion(() => Assert.Contains("overlaps the host route 192.168.1.0/24 dev eth0", cut.Markup));
    }

    [Fact]
    public void M8_link_local_and_a_host_name_server_are_refused_under_the_subnet_field_and_create_stays_off()
    {
        Engine.HostRoutes.AddRange(NetworkPlanner.NameServers("nameserver 192.0.2.53\n", "/etc/resolv.conf"));
        var cut = Render<NetworkCreateForm>();
        var create = () => cut.FindAll("button").Single(b => b.TextContent.Contains("Create network"));
        Input(cut, "Name").Input("meta");

        Input(cut, "Subnet (CIDR)").Input("169.254.169.252/30");
        cut.WaitForAssertion(() => Assert.Contains("subnet 169.254.169.252/30 overlaps 169.254.0.0/16, link-local", cut.Markup));
        Assert.Contains("choose a private subnet", cut.Find(".mud-input-error").TextContent);
        Assert.True(create().HasAttribute("disabled"));

        Input(cut, "Subnet (CIDR)").Input("192.0.2.0/24");
        cut.WaitForAssertion(() => Assert.Contains("name server 192.0.2.53 (/etc/resolv.conf)", cut.Find(".mud-input-error").TextContent));
        Assert.True(create().HasAttribute("disabled"));

        Input(cut, "Subnet (CIDR)").Input("192.0.3.0/24");
        cut.WaitForAssertion(() => Assert.DoesNotContain("mud-input-error", cut.Markup));
        Assert.False(create().HasAttribute("disabled"));
    }

    [Fact]
    public void Suggest_fills_a_free_subnet_and_create_makes_the_network()
    {
        Engine.Networks.Add(FakeDashboardEngine.Row("a", "172.17.0.0/16"));
        var cut = Render<NetworkCreateForm>();
        Input(cut, "Name").Input("b");
        cut.FindAll("button").Single(b => b.TextContent.Contains("Suggest a free subnet")).Click();
        cut.WaitForAssertion(() => Assert.Equal("172.18.0.0/16", Input(cut, "Subnet (CIDR)").GetAttribute("value")));
        cut.FindAll("button").Single(b => b.TextContent.Contains("Create network")).Click();
        cut.WaitForAssertion(() => Assert.Contains("Created network 'b' (172.18.0.0/16)", cut.Markup));
        Assert.Contains(Engine.Networks, n => n.Name == "b");
    }

    [Theory]
    [InlineData("network name is empty; give a name", NetworkField.Name)]
    [InlineData("invalid gateway: x", NetworkField.Gateway)]
    [InlineData("--gateway needs --subnet: give the subnet", NetworkField.Gateway)]
    [InlineData("invalid ip-range: x", NetworkField.IpRange)]
    [InlineData("subnet 10.0.0.0/24 overlaps the host route", NetworkField.Subnet)]
    [InlineData("driver option 'x' is not supported", NetworkField.Other)]
    public void Planner_messages_go_to_their_field(string message, NetworkField field) =>
        Assert.Equal(field, NetworkFormValidator.FieldOf(message));

    [Fact]
    public void Spec_takes_blank_fields_as_not_given() =>
        Assert.Equal(new NetworkCreateSpec("n", Subnet: "10.0.0.0/24"), new NetworkFormModel { Name = " n ", Subnet = "10.0.0.0/24", Gateway = " " }.ToSpec() with { Options = null, Labels = null });
}
