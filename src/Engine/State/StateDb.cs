using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace MyDocker.Engine.State;

/// <summary>
/// The engine's desired state in SQLite. The daemon is its only writer. Schema changes go through EF Core migrations
/// (src/Engine/State/Migrations), applied at start-up; a database made by EnsureCreated could not be migrated later.
/// A context is short-lived: create one per operation with <see cref="StateDbFactory.Create"/>.
/// </summary>
public sealed class StateDb(DbContextOptions<StateDb> options) : DbContext(options)
{
    public DbSet<NetworkRecord> Networks => Set<NetworkRecord>();
    public DbSet<IpamLeaseRow> IpamLeases => Set<IpamLeaseRow>();
    public DbSet<IpamCursorRow> IpamCursors => Set<IpamCursorRow>();

    protected override void OnModelCreating(ModelBuilder b)
    {
        b.Entity<NetworkRecord>(e =>
        {
            e.ToTable("Networks");
            e.HasKey(n => n.Id);
            e.HasIndex(n => n.Name).IsUnique();
            e.HasIndex(n => n.Bridge).IsUnique();
        });
        // Column names and keys must match SqliteIpamStore's SQL: IPAM writes these tables directly for speed.
        b.Entity<IpamLeaseRow>(e =>
        {
            e.ToTable("IpamLeases");
            e.HasKey(l => new { l.PoolId, l.Address });
        });
        b.Entity<IpamCursorRow>(e =>
        {
            e.ToTable("IpamCursors");
            e.HasKey(c => c.PoolId);
        });
    }
}

/// <summary>Opens <see cref="StateDb"/> contexts on one database file.</summary>
public sealed class StateDbFactory(string databasePath)
{
    public string DatabasePath { get; } = databasePath;
    public string ConnectionString => $"Data Source={DatabasePath};Default Timeout=30";

    public StateDb Create() =>
        new(new DbContextOptionsBuilder<StateDb>().UseSqlite(ConnectionString).Options);

    /// <summary>Applies pending migrations and switches the file to WAL with synchronous=NORMAL: a committed transaction
    /// survives the process being killed (only a power loss can lose the last commits), and commits stay cheap.</summary>
    public void Migrate()
    {
        using var db = Create();
        db.Database.Migrate();
        db.Database.ExecuteSqlRaw("PRAGMA journal_mode=WAL;");
    }
}

/// <summary>Lets `dotnet ef migrations add` build the model without a running daemon.</summary>
internal sealed class DesignTimeStateDbFactory : IDesignTimeDbContextFactory<StateDb>
{
    public StateDb CreateDbContext(string[] args) => new StateDbFactory(Path.Combine(Path.GetTempPath(), "mydocker-design.db")).Create();
}
