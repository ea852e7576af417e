using System.Data.Common;
using System.Runtime.CompilerServices;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Octavia.Db;

/// <summary>
/// Per-connection SQLite settings, applied once per physical connection (Microsoft.Data.Sqlite pools
/// them; the settings live as long as the handle). <c>synchronous</c> comes from
/// <c>[database] sqlite_synchronous</c>: NORMAL (the default) does not fsync on each commit in WAL mode,
/// so a committed change survives any crash of the process but may be lost on a power failure; FULL
/// survives that too at several times the cost of each write (docs/decisions.md, docs/benchmarks.md).
/// </summary>
internal sealed class SqlitePragmas(string synchronous) : DbConnectionInterceptor
{
    private static readonly ConditionalWeakTable<SQLitePCL.sqlite3, object> Applied = [];
    private readonly string _sql = $"PRAGMA synchronous={synchronous}; PRAGMA busy_timeout=30000; PRAGMA cache_size=-512;";

    public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData)
    {
        if (NeedsPragmas(connection))
        {
            using var command = connection.CreateCommand();
            command.CommandText = _sql;
            command.ExecuteNonQuery();
        }
    }

    public override async Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        if (NeedsPragmas(connection))
        {
            await using var command = connection.CreateCommand();
            command.CommandText = _sql;
            await command.ExecuteNonQueryAsync(cancellationToken);
        }
    }

    private static bool NeedsPragmas(DbConnection connection) =>
        connection is not SqliteConnection { Handle: { } handle } || Applied.TryAdd(handle, Applied);
}
