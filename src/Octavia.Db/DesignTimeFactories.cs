using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace Octavia.Db;

/// <summary>Used only by <c>dotnet ef migrations add</c> for the SQLite migrations.</summary>
internal sealed class SqliteDesignTimeFactory : IDesignTimeDbContextFactory<SqliteOctaviaDbContext>
{
    public SqliteOctaviaDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<SqliteOctaviaDbContext>().UseSqlite("Data Source=design.db").Options);
}

/// <summary>Used only by <c>dotnet ef migrations add</c> for the PostgreSQL migrations.</summary>
internal sealed class PostgresDesignTimeFactory : IDesignTimeDbContextFactory<PostgresOctaviaDbContext>
{
    public PostgresOctaviaDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<PostgresOctaviaDbContext>().UseNpgsql("Host=localhost;Database=design").Options);
}
