using MyDocker.Cli.Parsing;

namespace MyDocker.Cli.Commands;

/// <summary>
/// <c>mydocker create [OPTIONS] IMAGE [COMMAND] [ARG...]</c>: <c>run</c>'s create step alone; prints the new
/// container's id. Takes <c>run</c>'s flags except <c>-d</c>, and fails with <c>run</c>'s exit code 125.
/// </summary>
public static class CreateCommand
{
    public static readonly CommandSpec Spec = new()
    {
        Name = "create",
        Summary = "Create a new container",
        ArgsUsage = "IMAGE [COMMAND] [ARG...]",
        Flags = [.. RunCommand.Flags.Where(f => f.Name != "detach")],
        MinArgs = 1,
        Interspersed = false,
        FailureExitCode = RunCommand.ExitEngineError,
        Run = CreateAsync,
    };

    private static async Task<int> CreateAsync(CommandContext context, ParsedArgs args)
    {
        var plan = RunCommand.BuildPlan(args, context.Env);
        // run leaves --rm to itself when attached; a created container is started later, so the daemon removes it.
        plan.Request.HostConfig!.AutoRemove = plan.AutoRemove;
        var created = await context.Daemon.CreateContainerAsync(plan.Request, plan.Name, context.Cancel).ConfigureAwait(false);
        foreach (var warning in created.Warnings ?? []) context.Err.WriteLine("WARNING: " + warning);
        context.Out.WriteLine(created.Id);
        return CliApp.ExitOk;
    }
}
