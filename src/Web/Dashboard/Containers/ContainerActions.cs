using MudBlazor;
using MyDocker.Engine;

namespace MyDocker.Web.Dashboard.Containers;

/// <summary>What the list and the detail page do when an action button is pressed; the confirmation they ask first.</summary>
public static class ContainerActions
{
    public static string Verb(ContainerAction a) => a switch
    {
        ContainerAction.Start => "Start", ContainerAction.Stop => "Stop", ContainerAction.Restart => "Restart", _ => "Remove",
    };

    /// <summary>The question asked before the action, or null when none is (start and restart lose nothing).</summary>
    public static (string Title, string Message)? Confirmation(ContainerRow row, ContainerAction action) => action switch
    {
        ContainerAction.Stop => ($"Stop container {row.Name}", $"Stop container '{row.Name}'? Its process gets SIGTERM, and SIGKILL after 10 seconds."),
        ContainerAction.Remove when row.IsRunning =>
            ($"Remove container {row.Name}", $"Container '{row.Name}' is running. Kill it and remove it with everything it owns (its files, address and published ports)?"),
        ContainerAction.Remove => ($"Remove container {row.Name}", $"Remove container '{row.Name}' with everything it owns (its files, address and published ports)?"),
        _ => null,
    };

    /// <summary>Asks the <see cref="Confirmation"/> question, if the action has one; true when the action may go ahead.</summary>
    public static async Task<bool> ConfirmAsync(IDialogService dialogs, ContainerRow row, ContainerAction action) =>
        Confirmation(row, action) is not var (title, message)
        || await dialogs.ShowMessageBoxAsync(title, message, yesText: Verb(action), cancelText: "Cancel") == true;

    /// <summary>Marks the action pending, then asks the engine. Returns the error in plain words, or null. On success the
    /// action stays pending until its event arrives (<see cref="PendingActions.Apply"/>); when the engine says nothing
    /// changes (already running / not running) no event comes, so it ends here.</summary>
    public static async Task<string?> RunAsync(IDashboardEngine engine, PendingActions pending, ContainerRow row, ContainerAction action)
    {
        pending.Begin(row.Id, action);
        try
        {
            bool changes = action switch
            {
                ContainerAction.Start => await engine.StartContainerAsync(row.Id),
                ContainerAction.Stop => await engine.StopContainerAsync(row.Id),
                ContainerAction.Restart => await Done(engine.RestartContainerAsync(row.Id)),
                _ => await Done(engine.RemoveContainerAsync(row.Id, force: true)),
            };
            if (!changes) pending.End(row.Id);
            return null;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            pending.End(row.Id);
            string why = e is EngineException ? e.Message : $"the engine failed: {e.Message}";
            return $"Could not {Verb(action).ToLowerInvariant()} container '{row.Name}': {why}";
        }
    }

    private static async Task<bool> Done(Task t) { await t; return true; }
}
