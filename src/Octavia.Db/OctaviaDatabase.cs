using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Octavia.Core.Configuration;
using Octavia.Db.Jobs;

namespace Octavia.Db;

/// <summary>Which database the control plane uses, resolved from <c>[database] connection</c>.</summary>
public sealed record DatabaseTarget(bool IsPostgres, string ConnectionString)
{
    /// <summary>
    /// Accepts upstream's URL forms (<c>sqlite:///path</c>, <c>postgresql://user:pass@host:port/db</c>,
    /// <c>postgresql+psycopg2://…</c>) and, when empty, SQLite at <c>$state_path/octavia.db</c>.
    /// </summary>
    public static DatabaseTarget Parse(string connection, string statePath)
    {
        if (string.IsNullOrWhiteSpace(connection))
        {
            return Sqlite(Path.Combine(statePath, "octavia.db"));
        }

        if (connection.StartsWith("sqlite://", StringComparison.OrdinalIgnoreCase))
        {
            var path = connection["sqlite://".Length..];
            if (path.StartsWith('/'))
            {
                path = path[1..];
            }

            return Sqlite(path.Length == 0 ? Path.Combine(statePath, "octavia.db") : path);
        }

        var schemeEnd = connection.IndexOf("://", StringComparison.Ordinal);
        if (schemeEnd > 0 && connection[..schemeEnd].StartsWith("postgres", StringComparison.OrdinalIgnoreCase))
        {
            var uri = new Uri("postgresql" + connection[schemeEnd..]);
            var builder = new NpgsqlConnectionStringBuilder
            {
                Host = uri.Host,
                Port = uri.IsDefaultPort || uri.Port <= 0 ? 5432 : uri.Port,
                Database = uri.AbsolutePath.TrimStart('/'),
                MaxPoolSize = 50,
            };
            if (uri.UserInfo.Length > 0)
            {
                var parts = uri.UserInfo.Split(':', 2);
                builder.Username = Uri.UnescapeDataString(parts[0]);
                if (parts.Length == 2)
                {
                    builder.Password = Uri.UnescapeDataString(parts[1]);
                }
            }

            return new DatabaseTarget(true, builder.ConnectionString);
        }

        throw new InvalidOperationException(
            "[database] connection must be empty, sqlite:///PATH or postgresql://USER:PASSWORD@HOST:PORT/DB.");
    }

    private static DatabaseTarget Sqlite(string path)
    {
        var full = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        var builder = new SqliteConnectionStringBuilder { DataSource = full, Cache = SqliteCacheMode.Private, DefaultTimeout = 30 };
        return new DatabaseTarget(false, builder.ConnectionString);
    }
}

public static class OctaviaDbServiceCollectionExtensions
{
    /// <summary>Registers the pooled <see cref="OctaviaDbContext"/> for the configured database and the job queue.</summary>
    public static IServiceCollection AddOctaviaDb(this IServiceCollection services, IConfiguration configuration)
    {
        var statePath = configuration.GetSection(DefaultOptions.SectionName).Get<DefaultOptions>()?.StatePath ?? "./var";
        var connection = configuration.GetSection(DatabaseOptions.SectionName).Get<DatabaseOptions>()?.Connection ?? "";
        var target = DatabaseTarget.Parse(connection, statePath);
        services.AddSingleton(target);
        if (target.IsPostgres)
        {
            services.AddDbContextPool<OctaviaDbContext, PostgresOctaviaDbContext>(o =>
                o.UseNpgsql(target.ConnectionString, n => n.UseQuerySplittingBehavior(QuerySplittingBehavior.SingleQuery)).UseQueryTrackingBehavior(QueryTrackingBehavior.NoTracking));
        }
        else
        {
            var synchronous = configuration.GetSection(DatabaseOptions.SectionName).Get<DatabaseOptions>()?.SqliteSynchronous ?? "NORMAL";
            if (synchronous is not ("OFF" or "NORMAL" or "FULL" or "EXTRA"))
            {
                throw new InvalidOperationException("[database] sqlite_synchronous must be one of OFF, NORMAL, FULL, EXTRA.");
            }

            var pragmas = new SqlitePragmas(synchronous);
            services.AddDbContextPool<OctaviaDbContext, SqliteOctaviaDbContext>(o =>
                o.AddInterceptors(pragmas).UseSqlite(target.ConnectionString, n => n.UseQuerySplittingBehavior(QuerySplittingBehavior.SingleQuery)).UseQueryTrackingBehavior(QueryTrackingBehavior.NoTracking));
        }

        services.AddSingleton<JobSignal>();
        services.AddSingleton<JobQueue>();
        return services;
    }

    /// <summary>Applies every pending migration (the work of <c>octavia db upgrade</c>).</summary>
    public static async Task MigrateOctaviaDbAsync(this IServiceProvider services, CancellationToken cancellationToken)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<OctaviaDbContext>();
        await db.Database.MigrateAsync(cancellationToken);
        if (!db.IsPostgres)
        {
            // WAL lets the API read while a worker writes; the mode is stored in the file.
            await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", cancellationToken);
        }
    }
}
