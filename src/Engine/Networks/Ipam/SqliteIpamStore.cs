using Microsoft.Data.Sqlite;

namespace MyDocker.Engine.Networks.Ipam;

/// <summary>
/// <see cref="IIpamStore"/> on SQLite through Microsoft.Data.Sqlite (not EF Core: an allocation is one small
/// transaction on the hot path). One connection per store, serialised by a lock, with prepared commands reused;
/// WAL journal with synchronous=NORMAL, so a committed lease survives the process being killed (a power cut may
/// lose the last transactions, never corrupt the file).
/// </summary>
public sealed class SqliteIpamStore : IIpamStore, IDisposable
{
    /// <summary>Milliseconds a writer waits for another connection's write lock before failing with SQLITE_BUSY.</summary>
    public const int BusyTimeoutMs = 5000;

    private const int SqliteConstraintPrimaryKey = 1555; // SQLITE_CONSTRAINT_PRIMARYKEY (extended result code)

    private readonly Lock _gate = new();
    private readonly SqliteConnection _connection;
    private readonly SqliteCommand _insertLease, _upsertCursor, _deleteLease, _selectLeases, _selectCursor, _deletePoolLeases, _deletePoolCursor;
    private bool _disposed;

    /// <param name="connectionString">A Microsoft.Data.Sqlite connection string ("Data Source=/var/lib/mydocker/engine.db").
    /// Pooling is turned off: the store holds its connection for its whole life.</param>
    public SqliteIpamStore(string connectionString)
    {
        ArgumentException.ThrowIfNullOrEmpty(connectionString);
        var builder = new SqliteConnectionStringBuilder(connectionString) { Pooling = false };
        _connection = new SqliteConnection(builder.ToString());
        try
        {
            _connection.Open();
            Execute(_connection, "PRAGMA journal_mode=WAL;");
            Execute(_connection, "PRAGMA synchronous=NORMAL;");
            Execute(_connection, $"PRAGMA busy_timeout={BusyTimeoutMs};");
            EnsureSchema(_connection);

            _insertLease = Prepare("INSERT INTO IpamLeases (PoolId, Address, OwnerId, Since) VALUES ($pool, $address, $owner, $since);",
                "$pool", "$address", "$owner", "$since");
            _upsertCursor = Prepare("INSERT INTO IpamCursors (PoolId, Address) VALUES ($pool, $address) " +
                                    "ON CONFLICT (PoolId) DO UPDATE SET Address = excluded.Address;", "$pool", "$address");
            _deleteLease = Prepare("DELETE FROM IpamLeases WHERE PoolId = $pool AND Address = $address;", "$pool", "$address");
            _selectLeases = Prepare("SELECT Address, OwnerId, Since FROM IpamLeases WHERE PoolId = $pool ORDER BY Address;", "$pool");
            _selectCursor = Prepare("SELECT Address FROM IpamCursors WHERE PoolId = $pool;", "$pool");
            _deletePoolLeases = Prepare("DELETE FROM IpamLeases WHERE PoolId = $pool;", "$pool");
            _deletePoolCursor = Prepare("DELETE FROM IpamCursors WHERE PoolId = $pool;", "$pool");
        }
        catch
        {
            _connection.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Creates the IPAM tables if they do not exist. The engine's EF Core migration creates the same tables in the
    /// daemon's database; keep the two in step.
    /// </summary>
    public static void EnsureSchema(SqliteConnection connection)
    {
        ArgumentNullException.ThrowIfNull(connection);
        Execute(connection,
            """
            CREATE TABLE IF NOT EXISTS IpamLeases (PoolId TEXT NOT NULL, Address INTEGER NOT NULL, OwnerId TEXT NOT NULL, Since TEXT NOT NULL, PRIMARY KEY (PoolId, Address));
            CREATE TABLE IF NOT EXISTS IpamCursors (PoolId TEXT NOT NULL PRIMARY KEY, Address INTEGER NOT NULL);
            """);
    }

    public IReadOnlyList<IpamLease> Load(string poolId)
    {
        ArgumentNullException.ThrowIfNull(poolId);
        lock (_gate)
        {
            ThrowIfDisposed();
            _selectLeases.Parameters[0].Value = poolId;
            var leases = new List<IpamLease>();
            using var reader = _selectLeases.ExecuteReader();
            while (reader.Read())
                leases.Add(new IpamLease(poolId, checked((uint)reader.GetInt64(0)), reader.GetString(1), reader.GetDateTimeOffset(2)));
            return leases;
        }
    }

    public uint? LoadCursor(string poolId)
    {
        ArgumentNullException.ThrowIfNull(poolId);
        lock (_gate)
        {
            ThrowIfDisposed();
            _selectCursor.Parameters[0].Value = poolId;
            return _selectCursor.ExecuteScalar() is long address ? checked((uint)address) : null;
        }
    }

    public void Add(IpamLease lease, bool advanceCursor = true)
    {
        ArgumentNullException.ThrowIfNull(lease);
        lock (_gate)
        {
            ThrowIfDisposed();
            using var transaction = _connection.BeginTransaction(); // BEGIN IMMEDIATE: takes the write lock up front
            try
            {
                _insertLease.Transaction = transaction;
                _insertLease.Parameters[0].Value = lease.PoolId;
                _insertLease.Parameters[1].Value = (long)lease.Address;
                _insertLease.Parameters[2].Value = lease.OwnerId;
                _insertLease.Parameters[3].Value = lease.Since;
                _insertLease.ExecuteNonQuery();
                if (advanceCursor)
                {
                    _upsertCursor.Transaction = transaction;
                    _upsertCursor.Parameters[0].Value = lease.PoolId;
                    _upsertCursor.Parameters[1].Value = (long)lease.Address;
                    _upsertCursor.ExecuteNonQuery();
                }
                transaction.Commit();
            }
            catch (SqliteException e) when (e.SqliteExtendedErrorCode == SqliteConstraintPrimaryKey)
            {
                transaction.Rollback();
                throw new IpamConflictException(lease.PoolId, lease.Address);
            }
            finally
            {
                _insertLease.Transaction = null;
                _upsertCursor.Transaction = null;
            }
        }
    }

    public bool Remove(string poolId, uint address)
    {
        ArgumentNullException.ThrowIfNull(poolId);
        lock (_gate)
        {
            ThrowIfDisposed();
            _deleteLease.Parameters[0].Value = poolId;
            _deleteLease.Parameters[1].Value = (long)address;
            return _deleteLease.ExecuteNonQuery() > 0;
        }
    }

    public void DeletePool(string poolId)
    {
        ArgumentNullException.ThrowIfNull(poolId);
        lock (_gate)
        {
            ThrowIfDisposed();
            using var transaction = _connection.BeginTransaction();
            try
            {
                foreach (var command in new[] { _deletePoolLeases, _deletePoolCursor })
                {
                    command.Transaction = transaction;
                    command.Parameters[0].Value = poolId;
                    command.ExecuteNonQuery();
                }
                transaction.Commit();
            }
            finally
            {
                _deletePoolLeases.Transaction = null;
                _deletePoolCursor.Transaction = null;
            }
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed) return;
            _disposed = true;
            foreach (var command in new[] { _insertLease, _upsertCursor, _deleteLease, _selectLeases, _selectCursor, _deletePoolLeases, _deletePoolCursor })
                command.Dispose();
            _connection.Dispose();
        }
    }

    private SqliteCommand Prepare(string sql, params string[] parameterNames)
    {
        var command = _connection.CreateCommand();
        command.CommandText = sql;
        foreach (var name in parameterNames) command.Parameters.Add(new SqliteParameter { ParameterName = name });
        command.Prepare();
        return command;
    }

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(_disposed, this);
}
