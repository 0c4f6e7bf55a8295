using Bunit;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using MudBlazor.Services;
using MyDocker.Web.Dashboard;

namespace MyDocker.UnitTests.Dashboard;

/// <summary>bUnit 2.x with MudBlazor (FACTS.md): loose JS interop, Mud services, the popover provider rendered first,
/// and async disposal (a MudBlazor service is async-dispose only).</summary>
public abstract class DashboardTestContext : BunitContext, IAsyncLifetime
{
    protected FakeDashboardEngine Engine { get; } = new();
    protected FakeDashboardTopology Topology { get; } = new();

    protected DashboardTestContext()
    {
        // bUnit's 1 s default is too short when CI runs the tests right after a build on 2 CPUs; the form's
        // validation debounce and the feed's batching timer alone take a few hundred ms of it.
        DefaultWaitTimeout = TimeSpan.FromSeconds(15);
        JSInterop.Mode = JSRuntimeMode.Loose;
        Services.AddMudServices();
        Services.AddSingleton<IDashboardEngine>(Engine);
        Services.AddSingleton<MyDocker.Web.Dashboard.Topology.IDashboardTopology>(Topology);
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

    Task IAsyncLifetime.DisposeAsync() => base.DisposeAsync().AsTask();
}
