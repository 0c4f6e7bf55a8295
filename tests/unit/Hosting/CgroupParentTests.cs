using Microsoft.Extensions.Configuration;
using MyDocker.Engine;

namespace MyDocker.UnitTests.Hosting;

/// <summary>The cgroup parent follows the data root unless configured: two daemons never reconcile each other's containers.</summary>
public class CgroupParentTests
{
    [Fact]
    public void The_default_data_root_keeps_the_plain_name_and_any_other_root_gets_its_own()
    {
        Assert.Equal("mydocker", new EngineOptions().EffectiveCgroupParent);
        Assert.Equal("mydocker", new EngineOptions { DataRoot = "/var/lib/mydocker/" }.EffectiveCgroupParent);

        string a = new EngineOptions { DataRoot = "/srv/a" }.EffectiveCgroupParent, b = new EngineOptions { DataRoot = "/srv/b" }.EffectiveCgroupParent;
        Assert.Matches("^mydocker-[0-9a-f]{12}$", a);
        Assert.NotEqual(a, b);
        Assert.Equal(a, new EngineOptions { DataRoot = "/srv/a/" }.EffectiveCgroupParent);          // the same root, spelled otherwise
        Assert.Equal(a, new EngineOptions { DataRoot = "/srv/x/../a" }.EffectiveCgroupParent);
    }

    [Fact]
    public void A_configured_parent_wins_and_an_empty_one_means_the_default()
    {
        var o = new EngineOptions { DataRoot = "/srv/a", CgroupParent = "mydocker-e2e-1" };
        Assert.Equal("mydocker-e2e-1", o.EffectiveCgroupParent);
        o.CgroupParent = "";
        Assert.Equal(EngineOptions.DefaultCgroupParent("/srv/a"), o.EffectiveCgroupParent);
        o.DataRoot = "/srv/b";                                                            // the data root set after (a flag)
        Assert.Equal(EngineOptions.DefaultCgroupParent("/srv/b"), o.EffectiveCgroupParent);
    }

    [Theory]
    [InlineData("../system.slice")]
    [InlineData("/mydocker")]
    [InlineData("a//b")]
    [InlineData("my docker")]
    [InlineData("a/./b")]
    public void A_parent_that_is_not_a_plain_relative_cgroup_path_is_refused_with_the_fix(string parent)
    {
        var e = Assert.Throws<ArgumentException>(() => new EngineOptions { CgroupParent = parent }.Validate());
        Assert.Contains("MyDocker:CgroupParent", e.Message);
        Assert.Contains(parent, e.Message);
    }

    [Theory]
    [InlineData("mydocker")]
    [InlineData("machine.slice/mydocker-ab12")]
    public void Plain_relative_parents_are_accepted(string parent) => new EngineOptions { CgroupParent = parent }.Validate();

    [Fact]
    public void Binding_the_configuration_leaves_the_default_to_the_data_root_set_afterwards()
    {
        // What Program.cs does: bind MyDocker (appsettings.json names the default data root), then apply --data-root.
        var config = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["MyDocker:DataRoot"] = "/var/lib/mydocker" }).Build();
        var o = config.GetSection("MyDocker").Get<EngineOptions>()!;
        o.DataRoot = "/srv/a";
        Assert.Equal(EngineOptions.DefaultCgroupParent("/srv/a"), o.EffectiveCgroupParent);
    }
}
