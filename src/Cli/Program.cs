using MyDocker.Cli;

// The first Ctrl-C cancels the command (logs -f ends quietly, an attached run forwards SIGINT to the container);
// a second one is left to the runtime's default, which ends the process at once.
using var interrupt = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    if (interrupt.IsCancellationRequested) return;
    e.Cancel = true;
    interrupt.Cancel();
};
return await CliApp.RunAsync(args, Console.Out, Console.Error, Environment.GetEnvironmentVariable, interrupt.Token).ConfigureAwait(false);
