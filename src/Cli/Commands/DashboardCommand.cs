using System.Globalization;
using MyDocker.Cli.Parsing;

namespace MyDocker.Cli.Commands;

/// <summary><c>mydocker dashboard [--revoke-all]</c>: a new one-time login URL for the dashboard, at any time.</summary>
public static class DashboardCommand
{
    public static readonly CommandSpec Spec = new()
    {
        Name = "dashboard",
        Summary = "Print a new one-time login URL for the dashboard",
        Flags = [FlagSpec.Bool("revoke-all", '\0', "First end every dashboard session (open pages close) and change the dashboard's host name")],
        MaxArgs = 0,
        Run = RunAsync,
    };

    private static async Task<int> RunAsync(CommandContext context, ParsedArgs args)
    {
        if (args.Has("revoke-all"))
        {
            await context.Daemon.RevokeDashboardSessionsAsync(context.Cancel).ConfigureAwait(false);
            context.Err.WriteLine("Every dashboard session has ended; earlier login URLs and bookmarks no longer work.");
        }
        var login = await context.Daemon.DashboardLoginAsync(context.Cancel).ConfigureAwait(false);
        // The URL alone on stdout, so that `chromium "$(mydocker dashboard)"` works; the note goes to stderr.
        context.Out.WriteLine(login.Url);
        context.Err.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"It works once, until {login.ExpiresAt.UtcDateTime:HH:mm:ss} UTC; a newer URL replaces it."));
        return CliApp.ExitOk;
    }
}
