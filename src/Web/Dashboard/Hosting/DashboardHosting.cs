using System.Net;
using System.Net.NetworkInformation;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Routing.Matching;
using Microsoft.Extensions.DependencyInjection.Extensions;
using MudBlazor.Services;
using MyDocker.Web.Dashboard.Components;
using MyDocker.Web.Hosting;

namespace MyDocker.Web.Dashboard.Hosting;

/// <summary>Wires the dashboard into mydockerd: a loopback TCP listener beside the API's unix socket, and its login
/// endpoints on that socket.</summary>
public static class DashboardHosting
{
    /// <summary>Registers the dashboard's services and listener; returns null when it is disabled. A bad setting is an
    /// ArgumentException with a message for people.</summary>
    public static DashboardOptions? AddDashboard(this WebApplicationBuilder builder, DaemonArguments args, string dataRoot)
    {
        // Always: keeps the API's endpoints to the unix socket even if something else ever listens on TCP.
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<MatcherPolicy, ListenerMatcherPolicy>());
        var options = builder.Configuration.GetSection("MyDocker:Dashboard").Get<DashboardOptions>() ?? new DashboardOptions();
        if (args.DashboardPort is int port) options.Port = port;
        if (args.NoDashboard) options.Enabled = false;
        if (!options.Enabled) return null;
        var address = options.ListenAddress();
        // Checked here because Kestrel binds an address the host does not have without complaint (seen on kernel 6.18
        // with ip_nonlocal_bind=0), and would then print a login URL nobody can open.
        if (!IPAddress.IsLoopback(address)
            && NetworkInterface.GetAllNetworkInterfaces().SelectMany(i => i.GetIPProperties().UnicastAddresses).Select(u => u.Address).ToList() is var own
            && !own.Contains(address))
            throw new ArgumentException($"MyDocker:Dashboard:Address {address} is not an address of this host (it has {string.Join(", ", own.Distinct())}); name one of those, or leave it at 127.0.0.1");

        builder.Services.AddSingleton(options);
        // Antiforgery and circuit keys in memory: a restart ends every circuit anyway (the page reloads and gets new
        // ones), and nothing is written to root's home directory (the default key ring location).
        builder.Services.AddSingleton<IDataProtectionProvider>(new EphemeralDataProtectionProvider());
        var access = new DashboardAccess(Path.Combine(dataRoot, "dashboard"));
        builder.Services.AddSingleton(access);
        builder.Services.AddSingleton(new DashboardSite(options, access));
        builder.Services.AddSingleton(_ => new LiveSessions(access));
        builder.Services.AddSingleton<Containers.PortLinks>();
        builder.Services.AddSingleton<IDashboardEngine, EngineDashboardClient>();
        builder.Services.TryAddSingleton(TimeProvider.System); // the live feeds' batching window (Live.LiveComponent, Live.RowWatches)
        builder.Services.AddSingleton<Logs.IDashboardLogs, Logs.EngineDashboardLogs>();
        builder.Services.AddSingleton<Topology.IDashboardTopology, Topology.EngineDashboardTopology>();
        builder.Services.AddRazorComponents().AddInteractiveServerComponents();
        builder.Services.AddMudServices();
        builder.WebHost.ConfigureKestrel(k => k.Listen(address, options.Port));
        return options;
    }

    /// <summary>The gate: first in the pipeline, before the API's middleware.</summary>
    public static void UseDashboardGate(this WebApplication app, DashboardOptions? options)
    {
        if (options is not null)
            app.UseDashboardGate(app.Services.GetRequiredService<DashboardSite>(), app.Services.GetRequiredService<LiveSessions>(), app.Lifetime.ApplicationStopping);
    }

    /// <summary>The login endpoints on the unix socket (refusing by name when the dashboard is off); then antiforgery
    /// (after routing, as Blazor requires), static assets and the components.</summary>
    public static void MapDashboard(this WebApplication app, DashboardOptions? options)
    {
        app.MapDashboardApi(options is null ? null : app.Services.GetRequiredService<DashboardSite>());
        if (options is null) return;
        app.UseAntiforgery();
        app.MapStaticAssets();
        app.MapRazorComponents<App>().AddInteractiveServerRenderMode();
        Logs.LogDownload.MapLogDownload(app);
    }

    /// <summary>A new one-time login URL (the one printed at start).</summary>
    public static string LoginUrl(DashboardOptions options, DashboardAccess access) =>
        new DashboardSite(options, access).LoginUrl(access.NewLoginToken().Token);
}
