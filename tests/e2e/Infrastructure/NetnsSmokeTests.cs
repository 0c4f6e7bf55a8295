namespace MyDocker.E2ETests.Infrastructure;

public class NetnsSmokeTests
{
    [Fact]
    public void A_test_namespace_is_isolated_and_removed()
    {
        string name;
        using (var ns = new TestNetns("smoke"))
        {
            name = ns.Name;
            ns.Exec("ip", "link", "add", "mdt-dummy0", "type", "bridge");
            Assert.Contains("mdt-dummy0", ns.Exec("ip", "-o", "link", "show"));
            Assert.DoesNotContain("mdt-dummy0", Command.Run("ip", ["-o", "link", "show"]));
        }
        Assert.DoesNotContain(name, Command.Run("ip", ["netns", "list"]));
    }
}
