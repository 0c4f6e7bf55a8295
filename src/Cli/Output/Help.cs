using System.Text;
using MyDocker.Cli.Commands;
using MyDocker.Cli.Parsing;

namespace MyDocker.Cli.Output;

/// <summary>Help screens, laid out like the docker CLI's.</summary>
public static class Help
{
    public static string Root(string program, IReadOnlyList<CommandGroup> groups, IReadOnlyList<CommandSpec> commands, IReadOnlyList<FlagSpec> globalFlags)
    {
        var sb = new StringBuilder(1024);
        sb.Append("\nUsage:  ").Append(program).Append(" [OPTIONS] COMMAND\n\n");
        sb.Append("A single-host container engine with first-class bridge networking.\n");
        if (groups.Count > 0)
        {
            sb.Append("\nManagement Commands:\n");
            foreach (var g in groups) AppendEntry(sb, g.Name, g.Summary);
        }
        if (commands.Count > 0)
        {
            sb.Append("\nCommands:\n");
            foreach (var c in commands) AppendEntry(sb, c.Name, c.Summary);
        }
        sb.Append("\nGlobal Options:\n");
        AppendFlags(sb, globalFlags);
        sb.Append("\nRun '").Append(program).Append(" COMMAND --help' for more information on a command.\n");
        return sb.ToString();
    }

    public static string Group(string groupPath, CommandGroup group)
    {
        var sb = new StringBuilder(512);
        sb.Append("\nUsage:  ").Append(groupPath).Append(" COMMAND\n\n").Append(group.Summary).Append("\n\nCommands:\n");
        foreach (var c in group.Commands) AppendEntry(sb, c.Name, c.Summary);
        sb.Append("\nRun '").Append(groupPath).Append(" COMMAND --help' for more information on a command.\n");
        return sb.ToString();
    }

    public static string Command(string commandPath, CommandSpec command, IReadOnlyList<FlagSpec> globalFlags)
    {
        var sb = new StringBuilder(1024);
        sb.Append("\nUsage:  ").Append(commandPath);
        if (command.Flags.Length > 0) sb.Append(" [OPTIONS]");
        if (command.ArgsUsage.Length > 0) sb.Append(' ').Append(command.ArgsUsage);
        sb.Append("\n\n").Append(command.Summary).Append('\n');
        if (command.Aliases.Length > 0)
        {
            // "mydocker network ls, mydocker network list"
            string parent = commandPath[..(commandPath.Length - command.Name.Length)];
            sb.Append("\nAliases:\n  ").Append(commandPath);
            foreach (var alias in command.Aliases) sb.Append(", ").Append(parent).Append(alias);
            sb.Append('\n');
        }
        if (command.Flags.Length > 0)
        {
            sb.Append("\nOptions:\n");
            AppendFlags(sb, command.Flags);
        }
        sb.Append("\nGlobal Options:\n");
        AppendFlags(sb, globalFlags);
        return sb.ToString();
    }

    private static void AppendEntry(StringBuilder sb, string name, string summary)
    {
        sb.Append("  ").Append(name);
        sb.Append(' ', Math.Max(1, 12 - name.Length)).Append(summary).Append('\n');
    }

    private static void AppendFlags(StringBuilder sb, IReadOnlyList<FlagSpec> flags)
    {
        var lefts = new string[flags.Count];
        int width = 0;
        for (int i = 0; i < flags.Count; i++)
        {
            var f = flags[i];
            string left = (f.Short != '\0' ? $"  -{f.Short}, --" : "      --") + f.Name + (f.TakesValue ? " " + f.ValueName : "");
            lefts[i] = left;
            width = Math.Max(width, left.Length);
        }
        for (int i = 0; i < flags.Count; i++)
        {
            var f = flags[i];
            sb.Append(lefts[i]).Append(' ', width - lefts[i].Length + 3).Append(f.Help);
            if (f.DefaultText is not null) sb.Append(" (default ").Append(f.DefaultText).Append(')');
            sb.Append('\n');
        }
    }
}
