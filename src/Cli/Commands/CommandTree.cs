namespace MyDocker.Cli.Commands;

/// <summary>Every verb the CLI knows. New verbs (run, ps, logs...) are registered here and nowhere else.</summary>
public static class CommandTree
{
    /// <summary>Management commands: <c>mydocker GROUP VERB</c>.</summary>
    public static readonly CommandGroup[] Groups = [ContainerCommands.Group, ImageCommands.Group, NetworkCommands.Group, SystemCommands.Group];

    /// <summary>Top-level verbs: <c>mydocker VERB</c>.</summary>
    public static readonly CommandSpec[] Commands =
    [
        RunCommand.Spec, CreateCommand.Spec, ExecCommand.Spec, ContainerCommands.Ps, ContainerCommands.Logs, ContainerCommands.Start, ContainerCommands.Stop,
        ContainerCommands.Restart, ContainerCommands.Kill, ContainerCommands.Remove, ContainerCommands.Inspect,
        ContainerCommands.Wait, PortCommand.Spec, ImageCommands.Images, ImageCommands.Import, ImageCommands.Load, ImageCommands.Rmi,
        SystemCommands.Version, DashboardCommand.Spec,
    ];

    public static CommandGroup? FindGroup(string word)
    {
        foreach (var g in Groups) if (g.Name == word) return g;
        return null;
    }

    public static CommandSpec? FindCommand(string word)
    {
        foreach (var c in Commands) if (c.Matches(word)) return c;
        return null;
    }
}
