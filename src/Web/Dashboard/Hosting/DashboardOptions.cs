namespace MyDocker.Web.Dashboard.Hosting;

/// <summary>Configuration section MyDocker:Dashboard; the flags --dashboard-port and --no-dashboard override it.</summary>
public sealed class DashboardOptions
{
    public const int DefaultPort = 7480;
    public bool Enabled { get; set; } = true;
    /// <summary>TCP port on 127.0.0.1. The dashboard never listens on another address.</summary>
    public int Port { get; set; } = DefaultPort;
}
