using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Shop.ServiceDefaults;

/// <summary>
/// A service's own database: PostgreSQL, or SQLite for the standalone mode, chosen by <c>Database:Provider</c>; and its
/// schema at start-up.
/// </summary>
public static class ServiceDatabaseExtensions
{
    public const string ProviderKey = "Database:Provider";
    public const string PostgreSql = "PostgreSql";
    public const string Sqlite = "Sqlite";

    /// <summary>
    /// Registers <typeparamref name="TDbContext"/> on <c>ConnectionStrings:{<paramref name="connectionStringName"/>}</c>
    /// (or <paramref name="defaultConnectionString"/>): an Npgsql connection string, or with <c>Database:Provider=Sqlite</c>
    /// a SQLite one (<c>Data Source=data/orders.db</c>).
    /// </summary>
    public static IServiceCollection AddServiceDatabase<TDbContext>(this IServiceCollection services, IConfiguration configuration,
        string connectionStringName, string? defaultConnectionString = null)
        where TDbContext : DbContext
    {
        var connectionString = configuration.GetConnectionString(connectionStringName) ?? defaultConnectionString
            ?? throw new InvalidOperationException($"ConnectionStrings:{connectionStringName} is not set.");

        // Pooled: a fresh DbContext builds dozens of EF Core services (query translators, the state manager) before its
        // first command, which a profile of the durable consume put at a tenth of the process's processor time.
        var provider = configuration[ProviderKey] ?? PostgreSql;
        if (string.Equals(provider, PostgreSql, StringComparison.OrdinalIgnoreCase))
            return services.AddDbContextPool<TDbContext>(options => options.UseNpgsql(WithPreparedStatements(connectionString)));
        if (string.Equals(provider, Sqlite, StringComparison.OrdinalIgnoreCase))
            return services.AddDbContextPool<TDbContext>(options => options.UseSqlite(connectionString));

        throw new InvalidOperationException($"{ProviderKey} is '{provider}'; use {PostgreSql} (the default) or {Sqlite}.");
    }

    /// <summary>
    /// As <see cref="AddServiceDatabase{TDbContext}"/>, with <typeparamref name="TSqliteMigrations"/> as the context whose
    /// migrations bring a SQLite database up to date. EF Core migrations belong to one provider and one context type,
    /// and the service's own ones are PostgreSQL's; the SQLite set is generated for a subclass that shares the model.
    /// </summary>
    public static IServiceCollection AddServiceDatabase<TDbContext, TSqliteMigrations>(this IServiceCollection services,
        IConfiguration configuration, string connectionStringName, string? defaultConnectionString = null)
        where TDbContext : DbContext
        where TSqliteMigrations : TDbContext
    {
        services.AddSingleton(new SqliteMigrations<TDbContext>(connectionString => (DbContext)Activator.CreateInstance(typeof(TSqliteMigrations),
            new DbContextOptionsBuilder<TSqliteMigrations>().UseSqlite(connectionString).Options)!));
        return services.AddServiceDatabase<TDbContext>(configuration, connectionStringName, defaultConnectionString);
    }

    /// <summary>
    /// Turns on Npgsql's automatic preparation unless the connection string decides (<c>Max Auto Prepare=0</c> behind a
    /// pooler in transaction mode, which cannot keep prepared statements): every message runs the same few statements, and
    /// a prepared one skips PostgreSQL's parse and plan (about a tenth of the machine's processor time per durable message
    /// in the benchmark). With prepared statements Npgsql can no longer reset a pooled connection with one
    /// <c>DISCARD ALL</c> and sends seven statements instead, on every reuse (several per message); the services keep no
    /// session state (only <c>SET LOCAL</c>, which ends with its transaction), so the reset is off unless the string
    /// sets <c>No Reset On Close</c> itself.
    /// </summary>
    public static string WithPreparedStatements(string connectionString)
    {
        var given = new DbConnectionStringBuilder { ConnectionString = connectionString };
        if (Given("MaxAutoPrepare"))
            return connectionString;

        var builder = new NpgsqlConnectionStringBuilder(connectionString) { MaxAutoPrepare = 32, AutoPrepareMinUsages = 2 };
        if (!Given("NoResetOnClose"))
            builder.NoResetOnClose = true;
        return builder.ConnectionString;

        bool Given(string keyword) => given.Keys.Cast<string>()
            .Any(key => key.Replace(" ", "", StringComparison.Ordinal).Equals(keyword, StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>
    /// Brings the schema of <typeparamref name="TDbContext"/> up to date before the host starts its bus and delivery
    /// services, unless <c>Database:MigrateOnStartup</c> is false (a deployment that migrates separately). PostgreSQL
    /// applies the service's migrations; SQLite those of the context registered with
    /// <see cref="AddServiceDatabase{TDbContext, TSqliteMigrations}"/>. A SQLite database created before it had
    /// migrations (tables, but no migrations history) cannot be told apart by version, so it is left as it is, with a
    /// warning; a context without SQLite migrations gets its schema created from the model when the database is new.
    /// </summary>
    public static async Task MigrateDatabaseAsync<TDbContext>(this IHost host, CancellationToken cancellationToken = default)
        where TDbContext : DbContext
    {
        using var scope = host.Services.CreateScope();
        var configuration = scope.ServiceProvider.GetRequiredService<IConfiguration>();
        if (string.Equals(configuration["Database:MigrateOnStartup"], "false", StringComparison.OrdinalIgnoreCase))
            return;

        var logger = scope.ServiceProvider.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(ServiceDatabaseExtensions));
        var db = scope.ServiceProvider.GetRequiredService<TDbContext>();
        if (db.Database.IsSqlite())
        {
            if (scope.ServiceProvider.GetService<SqliteMigrations<TDbContext>>() is not { } migrations)
            {
                if (await db.Database.EnsureCreatedAsync(cancellationToken))
                    logger.LogInformation("Created the SQLite schema of {DbContext}", typeof(TDbContext).Name);
                return;
            }

            await using var migrator = migrations.Create(db.Database.GetConnectionString()
                ?? throw new InvalidOperationException($"{typeof(TDbContext).Name} has no connection string."));
            if (await HasTablesWithoutHistory(migrator, cancellationToken))
            {
                logger.LogWarning("The SQLite database of {DbContext} was created without migrations and is left as it is; " +
                                  "delete it to have it created with the current schema", typeof(TDbContext).Name);
                return;
            }

            logger.LogInformation("Applying SQLite migrations of {DbContext}", typeof(TDbContext).Name);
            await migrator.Database.MigrateAsync(cancellationToken);
            return;
        }

        logger.LogInformation("Applying migrations of {DbContext}", typeof(TDbContext).Name);
        await db.Database.MigrateAsync(cancellationToken);
    }

    /// <summary>Tables but no migrations applied: what <c>EnsureCreated</c> made before the SQLite migrations existed.</summary>
    static async Task<bool> HasTablesWithoutHistory(DbContext db, CancellationToken cancellationToken)
    {
        var creator = db.GetService<IRelationalDatabaseCreator>();
        return await creator.ExistsAsync(cancellationToken)
               && await creator.HasTablesAsync(cancellationToken)
               && !(await db.Database.GetAppliedMigrationsAsync(cancellationToken)).Any();
    }
}

/// <summary>Creates the context whose migrations are the SQLite ones of <typeparamref name="TDbContext"/>.</summary>
public sealed class SqliteMigrations<TDbContext>(Func<string, DbContext> create) where TDbContext : DbContext
{
    public DbContext Create(string connectionString) => create(connectionString);
}
