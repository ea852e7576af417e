using System.Collections.Concurrent;
using Microsoft.Data.Sqlite;
using Octavia.Db;

namespace Octavia.Api.Hosting;

/// <summary>
/// Bodies of recent GET responses, valid until anything in the database changes. On SQLite a dedicated
/// connection that never writes asks <c>PRAGMA data_version</c>, which moves whenever any other
/// connection, in this process or another (a worker), commits; an entry is served only while the
/// version it was read at is still current, so a cached answer is never older than the last commit.
/// PostgreSQL has no such cheap signal: there the cache stays off.
/// </summary>
public sealed class ResponseCache : IDisposable
{
    private const int MaxBodyBytes = 1024 * 1024;

    private readonly string? _probeConnectionString;
    private SqliteConnection? _probe;
    private SqliteCommand? _version;
    private readonly Lock _probeLock = new();
    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private readonly int _capacity;

    public ResponseCache(DatabaseTarget target, int capacity)
    {
        _capacity = capacity;
        if (target.IsPostgres || capacity <= 0)
        {
            return;
        }

        // ReadWrite, not ReadOnly: a read-only connection cannot open a WAL database whose -shm file is missing.
        // It never writes, so every commit it observes is another connection's.
        _probeConnectionString = new SqliteConnectionStringBuilder(target.ConnectionString) { Pooling = false, Mode = SqliteOpenMode.ReadWrite }.ConnectionString;
    }

    public sealed record Entry(long Version, string ContentType, byte[] Body);

    public bool Enabled => _probeConnectionString is not null;

    /// <summary>The database's change counter as this process sees it now, or null when it cannot be read.</summary>
    public long? CurrentVersion()
    {
        lock (_probeLock)
        {
            try
            {
                if (_version is null)
                {
                    _probe = new SqliteConnection(_probeConnectionString);
                    _probe.Open();
                    _version = _probe.CreateCommand();
                    _version.CommandText = "PRAGMA data_version";
                }

                return (long)_version.ExecuteScalar()!;
            }
            catch (SqliteException)
            {
                // No database yet (an API started before `octavia db upgrade`): no caching until there is one.
                _version?.Dispose();
                _probe?.Dispose();
                _version = null;
                _probe = null;
                return null;
            }
        }
    }

    public Entry? Find(string key, long version) =>
        _entries.TryGetValue(key, out var entry) && entry.Version == version ? entry : null;

    /// <summary>Keeps a body read at <paramref name="version"/>, unless the database changed meanwhile.</summary>
    public void Store(string key, long version, string contentType, byte[] body)
    {
        if (body.Length > MaxBodyBytes || CurrentVersion() is not { } now || now != version)
        {
            return;
        }

        if (_entries.Count >= _capacity)
        {
            _entries.Clear();
        }

        _entries[key] = new Entry(version, contentType, body);
    }

    public void Dispose()
    {
        _version?.Dispose();
        _probe?.Dispose();
    }
}
