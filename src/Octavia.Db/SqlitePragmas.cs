using System.Data.Common;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Octavia.Db;

/// <summary>
/// Per-connection SQLite settings, applied on every open. <c>synchronous</c> comes from
/// <c>[database] sqlite_synchronous</c>: NORMAL (the default) does not fsync on each commit in WAL mode,
/// so a committed change survives any crash of the process but may be lost on a power failure; FULL
/// survives that too at roughly twice the cost of each write (docs/decisions.md, docs/benchmarks.md).
/// </summary>
internal sealed class SqlitePragmas(string synchronous) : DbConnectionInterceptor
{
    private readonly string _sql = $"PRAGMA synchronous={synchronous}; PRAGMA busy_timeout=30000;";

    public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData) => Apply(connection);

    public override async Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = _sql;
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private void Apply(DbConnection connection)
    {
        using var command = connection.CreateCommand();
        command.CommandText = _sql;
        command.ExecuteNonQuery();
    }
}
