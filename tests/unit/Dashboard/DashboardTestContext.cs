using Bunit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using MudBlazor;
using MudBlazor.Services;
using MyDocker.Web.Dashboard;
using MyDocker.Web.Dashboard.Containers;
using MyDocker.Web.Dashboard.Hosting;
using MyDocker.Web.Dashboard.Live;

namespace MyDocker.UnitTests.Dashboard;

/// <summary>bUnit 2.x with MudBlazor (FACTS.md): loose JS interop, Mud services, the popover provider rendered first,
/// and async disposal (a MudBlazor service is async-dispose only).</summary>
public abstract class DashboardTestContext : BunitContext, IAsyncLifetime
{
    protected FakeDashboardEngine Engine { get; } = new();
    protected FakeDashboardTopology Topology { get; } = new();
    protected FakeTimeProvider Clock { get; } = new() { AutoAdvanceAmount = EventFeed.DefaultWindow };

    protected DashboardTestContext()
    {
        // bUnit's 1 s default is too short when CI runs the tests right after a build on 2 CPUs.
        DefaultWaitTimeout = TimeSpan.FromSeconds(15);
        // The pages' live feeds run on a fake clock that moves a whole batching window each time a feed reads it, so
        // every batch finds the window of the one before over: events reach the page as they come, with no real wait
        // (EventFeedTests cover the window itself), and a broken stream stays "reconnecting" until a test moves time.
        Services.AddSingleton<TimeProvider>(Clock);
        Engine.Clock = Clock;
        JSInterop.Mode = JSRuntimeMode.Loose;
        Services.AddMudServices();
        Services.AddSingleton<IDashboardEngine>(Engine);
        Services.AddSingleton<MyDocker.Web.Dashboard.Topology.IDashboardTopology>(Topology);
        Access = new DashboardAccess(_accessDir.FullName);
        ServeDashboardOn("127.0.0.1");
        Services.AddSingleton(_ => new PortLinks(Site)); // made at the first render: after a test's ServeDashboardOn
    }

    private readonly DirectoryInfo _accessDir = Directory.CreateTempSubdirectory("mydocker-unit-");

    /// <summary>The dashboard's access state (in a temporary directory).</summary>
    protected DashboardAccess Access { get; }

    /// <summary>The dashboard's site as the port links see it; <see cref="ServeDashboardOn"/> changes it before a render.</summary>
    protected DashboardSite Site { get; private set; } = null!;

    /// <summary>As if MyDocker:Dashboard:Address were <paramref name="address"/> (127.0.0.1 unless a test calls this).</summary>
    protected void ServeDashboardOn(string address)
    {
        Site = new DashboardSite(new DashboardOptions { Address = address }, Access);
    }

    /// <summary>Where confirmation dialogs render: find their buttons here.</summary>
    protected IRenderedComponent<MudDialogProvider> DialogProvider { get; private set; } = null!;

    /// <summary>Waits until a dialog asks <paramref name="question"/>, then clicks its button labelled
    /// <paramref name="button"/>.</summary>
    protected void ConfirmDialog(string question, string button)
    {
        DialogProvider.WaitForAssertion(() => Assert.Contains(question, DialogProvider.Markup));
        DialogProvider.FindAll("button").Single(b => b.TextContent.Trim() == button).Click();
    }

    public Task InitializeAsync()
    {
        Render<MudPopoverProvider>();
        DialogProvider = Render<MudDialogProvider>();
        return Task.CompletedTask;
    }

    async Task IAsyncLifetime.DisposeAsync()
    {
        await base.DisposeAsync();
        _accessDir.Delete(recursive: true);
    }
}
