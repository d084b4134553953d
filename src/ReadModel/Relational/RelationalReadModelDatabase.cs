using System.Data.Common;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Shop.ReadModel.Relational;

/// <summary>The read model's database: which provider, and contexts on it (or on a connection a rebuild holds open).</summary>
public sealed class RelationalReadModelDatabase
{
    readonly string _connectionString;
    readonly DbContextOptions _options;

    public RelationalReadModelDatabase(bool postgres, string connectionString)
    {
        IsPostgres = postgres;
        _connectionString = connectionString;
        _options = postgres
            ? new DbContextOptionsBuilder<PostgresReadModelDbContext>().UseNpgsql(connectionString).Options
            : new DbContextOptionsBuilder<SqliteReadModelDbContext>().UseSqlite(connectionString).Options;
    }

    public bool IsPostgres { get; }

    public ReadModelDbContext CreateContext() => IsPostgres
        ? new PostgresReadModelDbContext((DbContextOptions<PostgresReadModelDbContext>)_options)
        : new SqliteReadModelDbContext((DbContextOptions<SqliteReadModelDbContext>)_options);

    /// <summary>A context on <paramref name="connection"/>, which the caller keeps open (and in its transaction).</summary>
    public ReadModelDbContext CreateContext(DbConnection connection) => IsPostgres
        ? new PostgresReadModelDbContext(new DbContextOptionsBuilder<PostgresReadModelDbContext>().UseNpgsql(connection).Options)
        : new SqliteReadModelDbContext(new DbContextOptionsBuilder<SqliteReadModelDbContext>().UseSqlite(connection).Options);

    public DbConnection CreateConnection() => IsPostgres ? new NpgsqlConnection(_connectionString) : new SqliteConnection(_connectionString);
}
