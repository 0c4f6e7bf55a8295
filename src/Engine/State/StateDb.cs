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
    internal DbSet<NetworkEntity> Networks => Set<NetworkEntity>();
    internal DbSet<IpamLeaseEntity> IpamLeases => Set<IpamLeaseEntity>();
    internal DbSet<IpamCursorEntity> IpamCursors => Set<IpamCursorEntity>();
    internal DbSet<ImageEntity> Images => Set<ImageEntity>();
    internal DbSet<ImageTagEntity> ImageTags => Set<ImageTagEntity>();
    internal DbSet<ContainerEntity> Containers => Set<ContainerEntity>();
    internal DbSet<ContainerEndpointEntity> ContainerEndpoints => Set<ContainerEndpointEntity>();
    internal DbSet<EventEntity> Events => Set<EventEntity>();

    protected override void OnModelCreating(ModelBuilder b)
    {
        b.Entity<NetworkEntity>(e =>
        {
            e.ToTable("Networks");
            e.HasKey(n => n.Id);
            e.HasIndex(n => n.Name).IsUnique();
            e.HasIndex(n => n.Bridge).IsUnique();
        });
        // Column names and keys must match SqliteIpamStore's SQL: IPAM writes these tables directly for speed.
        b.Entity<IpamLeaseEntity>(e =>
        {
            e.ToTable("IpamLeases");
            e.HasKey(l => new { l.PoolId, l.Address });
        });
        b.Entity<IpamCursorEntity>(e =>
        {
            e.ToTable("IpamCursors");
            e.HasKey(c => c.PoolId);
        });
        b.Entity<ImageEntity>(e =>
        {
            e.ToTable("Images");
            e.HasKey(i => i.Id);
        });
        b.Entity<ImageTagEntity>(e =>
        {
            e.ToTable("ImageTags");
            e.HasKey(t => t.Reference);
            e.HasIndex(t => t.ImageId);
        });
        b.Entity<ContainerEntity>(e =>
        {
            e.ToTable("Containers");
            e.HasKey(c => c.Id);
            e.HasIndex(c => c.Name).IsUnique();
            e.HasIndex(c => c.ImageId);
        });
        b.Entity<ContainerEndpointEntity>(e =>
        {
            e.ToTable("ContainerEndpoints");
            e.HasKey(x => new { x.ContainerId, x.NetworkId });
            e.HasIndex(x => new { x.ContainerId, x.InterfaceIndex }).IsUnique();
            e.HasIndex(x => x.NetworkId);
        });
        b.Entity<EventEntity>(e =>
        {
            e.ToTable("Events");
            e.HasKey(v => v.Id);
            e.HasIndex(v => v.TimeNano);
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
        MakePrivate();
        using var db = Create();
        db.Database.Migrate();
        db.Database.ExecuteSqlRaw("PRAGMA journal_mode=WAL;");
    }

    /// <summary>
    /// The database holds every container's command line and environment: 0600, created so (SQLite would make it 0644
    /// under the usual umask) and tightened when an older file is looser (audit M5). SQLite gives the -wal and -shm
    /// files the database file's permissions when it creates them (os_unix.c, findCreateFileMode); existing ones are
    /// tightened here too.
    /// </summary>
    private void MakePrivate()
    {
        const UnixFileMode mode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        using (new FileStream(DatabasePath, new FileStreamOptions { Mode = FileMode.OpenOrCreate, Access = FileAccess.Write, UnixCreateMode = mode })) { }
        foreach (var file in new[] { DatabasePath, DatabasePath + "-wal", DatabasePath + "-shm" })
            if (File.Exists(file) && File.GetUnixFileMode(file) != mode) File.SetUnixFileMode(file, mode);
    }
}

/// <summary>Lets `dotnet ef migrations add` build the model without a running daemon.</summary>
internal sealed class DesignTimeStateDbFactory : IDesignTimeDbContextFactory<StateDb>
{
    public StateDb CreateDbContext(string[] args) => new StateDbFactory(Path.Combine(Path.GetTempPath(), "mydocker-design.db")).Create();
}
