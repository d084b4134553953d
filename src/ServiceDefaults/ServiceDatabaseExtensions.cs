using System.Data.Common;
using Microsoft.EntityFrameworkCore;
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
    /// applies the checked-in migrations. They are generated for PostgreSQL (its column types, identity columns), so
    /// SQLite instead creates the schema from the model when the database is new, and leaves an existing one as it is.
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
            if (await db.Database.EnsureCreatedAsync(cancellationToken))
                logger.LogInformation("Created the SQLite schema of {DbContext}", typeof(TDbContext).Name);
            return;
        }

        logger.LogInformation("Applying migrations of {DbContext}", typeof(TDbContext).Name);
        await db.Database.MigrateAsync(cancellationToken);
    }
}
