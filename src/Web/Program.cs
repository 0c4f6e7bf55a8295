using Microsoft.Extensions.Logging.Console;
using MyDocker.Engine;
using MyDocker.Engine.Containers.Logs;
using MyDocker.Engine.Reconcile;
using MyDocker.Engine.State;
using MyDocker.Shared.Api;
using MyDocker.Web.Api;
using MyDocker.Web.Dashboard.Hosting;
using MyDocker.Web.Hosting;

DaemonArguments daemonArgs;
try { daemonArgs = DaemonArguments.Parse(args); }
catch (HelpRequestedException) { Console.WriteLine(DaemonArguments.Usage); return 0; }
catch (ArgumentException e) { Console.Error.WriteLine($"mydockerd: {e.Message}"); return 2; }

// appsettings.json lives beside the binary, wherever the daemon is started from.
var builder = WebApplication.CreateBuilder(new WebApplicationOptions
{
    ContentRootPath = AppContext.BaseDirectory,
});
builder.Configuration.AddEnvironmentVariables("MYDOCKER_");
builder.Logging.ClearProviders().AddSimpleConsole(o =>
{
    o.SingleLine = true;
    o.UseUtcTimestamp = true;
    o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ ";
    o.ColorBehavior = LoggerColorBehavior.Disabled;
});

var options = builder.Configuration.GetSection("MyDocker").Get<EngineOptions>() ?? new EngineOptions();
options.DataRoot = daemonArgs.DataRoot ?? options.DataRoot;
options.ExecRoot = daemonArgs.ExecRoot ?? options.ExecRoot;
try { options.Validate(); }
catch (ArgumentException e) { Console.Error.WriteLine($"mydockerd: {e.Message}"); return 2; }
try { if (options.LogSizeMax is { Length: > 0 } logSizeMax) LogConfigRules.ParseMaxSize(logSizeMax, "MyDocker:LogSizeMax"); }
catch (EngineException e) { Console.Error.WriteLine($"mydockerd: {e.Message}"); return 2; }
string socketPath = (daemonArgs.Host ?? builder.Configuration["MyDocker:Host"] ?? "unix:///run/mydocker/mydocker.sock")["unix://".Length..];

// Both roots hold state only root may read: the database, and the API socket that controls the host's network.
try { DaemonDirectories.Secure(options, socketPath); }
catch (InvalidOperationException e) { Console.Error.WriteLine($"mydockerd: {e.Message}"); return 1; }

SingleInstanceLock instanceLock;
try { instanceLock = SingleInstanceLock.Acquire(options.DataRoot); }
catch (InvalidOperationException e) { Console.Error.WriteLine($"mydockerd: {e.Message}"); return 1; }
using var heldLock = instanceLock;

// We hold the data root's lock, so a socket file left at this path is a dead daemon's.
string bindPath = DaemonDirectories.PrepareSocket(socketPath);
builder.WebHost.ConfigureKestrel(k => k.ListenUnixSocket(bindPath, listen => listen.UseExecStartUpgrade().UseHalfCloseHold()));
builder.Services.AddMyDockerEngine(options);
builder.Services.AddHostedService<ContainerExitService>();
builder.Services.AddHostedService<FirewallWatchService>();
builder.Services.AddHostedService<OrphanSweepService>();
builder.Services.AddHostedService<ResolverWatchService>();
DashboardOptions? dashboard;
try { dashboard = builder.AddDashboard(daemonArgs, options.DataRoot); }
catch (ArgumentException e) { Console.Error.WriteLine($"mydockerd: {e.Message}"); return 2; }
builder.Services.ConfigureHttpJsonOptions(o =>
{
    o.SerializerOptions.PropertyNamingPolicy = null;
    o.SerializerOptions.TypeInfoResolverChain.Insert(0, ApiJsonContext.Default);
});

var app = builder.Build();
var log = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("mydockerd");
MyDocker.Engine.Containers.Runtime.ResourceDefaults.ProtectDaemon(log);

// Start-up order: schema first, then the reconciler makes the kernel match the records (networks, firewall, live
// containers) before any request is served. What no record owns is removed after the API answers (OrphanSweepService),
// and the firewall watch starts with the host, after this reconcile (FirewallWatchService).
app.Services.GetRequiredService<StateDbFactory>().Migrate();
var report = await app.Services.GetRequiredService<Reconciler>().RunAsync(firstRun: true, orphansLater: true);
log.LogInformation("Reconciled at start-up: {Repaired} repaired, {Removed} removed, {Errors} errors",
    report.Repaired.Count, report.Removed.Count, report.Errors.Count);
// Logs a loud warning when the OCI runtime lacks security fixes (also shown by `mydocker system doctor`).
await app.Services.GetRequiredService<MyDocker.Engine.Containers.Runtime.RuntimeCheck>().CheckAsync();
app.Services.GetRequiredService<MyDocker.Engine.Images.ImageService>().StartSeedImport();

// The dashboard's TCP listener: host/origin/cookie checks first; the unix socket passes through untouched.
app.UseDashboardGate(dashboard);
app.UseWhen(ctx => !ListenerMatcherPolicy.IsDashboardListener(ctx), api =>
{
    api.UseDockerErrors();
    // Routing must come after the /vX.Y prefix is stripped: left implicit, WebApplication would route first.
    api.UseDockerApiVersioning();
});
app.UseRouting();
// Endpoints marked DockerApiEndpoint are served on the unix socket only, all others on the TCP port only
// (ListenerMatcherPolicy): the two share paths such as /networks.
var dockerApi = app.MapGroup("").WithMetadata(DockerApiEndpoint.Instance);
dockerApi.MapSystemEndpoints();
dockerApi.MapNetworkEndpoints();
dockerApi.MapImageEndpoints();
dockerApi.MapContainerEndpoints();
dockerApi.MapExecEndpoints();
dockerApi.MapEventEndpoints();
app.MapDashboard(dashboard);
dockerApi.MapFallback((HttpContext ctx) => ApiErrors.Write(ctx, StatusCodes.Status404NotFound, $"page not found: {ctx.Request.Method} {ctx.Request.Path}"));

app.Lifetime.ApplicationStarted.Register(() =>
{
    DaemonDirectories.PublishSocket(bindPath, socketPath);
    log.LogInformation("mydockerd {Version} listening on unix://{Socket} (data root {DataRoot}, exec root {ExecRoot}, cgroup parent {CgroupParent}, pid {Pid})",
        SystemEndpoints.Version, socketPath, options.DataRoot, options.ExecRoot, options.EffectiveCgroupParent, Environment.ProcessId);
    if (dashboard is not null)
    {
        // Printed as well as logged: the one line a user needs, even with logging turned down.
        string url = DashboardHosting.LoginUrl(dashboard, app.Services.GetRequiredService<DashboardAccess>());
        Console.WriteLine($"Dashboard: {url}");
        if (!System.Net.IPAddress.IsLoopback(dashboard.ListenAddress()))
            log.LogWarning("The dashboard listens on {Address}, reachable from other machines over plain HTTP (the session cookie included), and a web page served on any port of that address can obtain the cookie; loopback with 'ssh -L' is safer", dashboard.ListenEndpoint);
    }
});
app.Lifetime.ApplicationStopped.Register(() => { try { File.Delete(socketPath); } catch (IOException) { } });

try
{
    try { await app.StartAsync(); }
    catch (IOException e) when (dashboard is not null && e.InnerException is Microsoft.AspNetCore.Connections.AddressInUseException)
    {
        Console.Error.WriteLine($"mydockerd: the dashboard's port {dashboard.ListenEndpoint} is in use; free it, or start with --dashboard-port N (MyDocker:Dashboard:Port) or --no-dashboard");
        return 1;
    }
    catch (IOException e) when (dashboard is not null)
    {
        Console.Error.WriteLine($"mydockerd: the dashboard cannot listen on {dashboard.ListenEndpoint} ({e.Message}); set MyDocker:Dashboard:Address to an address of this host, or start with --no-dashboard");
        return 1;
    }
    await app.WaitForShutdownAsync();
}
finally { await app.DisposeAsync(); }
return 0;
