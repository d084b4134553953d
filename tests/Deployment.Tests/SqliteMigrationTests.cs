using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Shop.Images.Worker.Persistence;
using Shop.Messaging.EntityFrameworkCore.Storage;
using Shop.Notifications.Worker.Persistence;
using Shop.Orders.Api.Persistence;
using Shop.Payments.Worker.Persistence;
using Shop.ServiceDefaults;

namespace Shop.Deployment.Tests;

/// <summary>
/// The standalone mode's SQLite databases are brought up to date by migrations of their own, as PostgreSQL's are, so a
/// data folder survives an upgrade that changes the schema.
/// </summary>
public sealed class SqliteMigrationTests : IDisposable
{
    readonly string _folder = Directory.CreateTempSubdirectory("shop-sqlite-").FullName;

    [Fact]
    public Task Orders_migrate_on_sqlite() => MigratesAndStaysMigrated<OrdersDbContext, OrdersSqliteMigrations>("Orders");

    [Fact]
    public Task Payments_migrate_on_sqlite() => MigratesAndStaysMigrated<PaymentsDbContext, PaymentsSqliteMigrations>("Payments");

    [Fact]
    public Task Notifications_migrate_on_sqlite() => MigratesAndStaysMigrated<NotificationsDbContext, NotificationsSqliteMigrations>("Notifications");

    [Fact]
    public Task Images_migrate_on_sqlite() => MigratesAndStaysMigrated<ImagesDbContext, ImagesSqliteMigrations>("Images");

    [Fact]
    public async Task A_database_created_before_migrations_existed_is_left_as_it_is()
    {
        var file = Path.Combine(_folder, "legacy.db");
        await using (var legacy = new OrdersDbContext(new DbContextOptionsBuilder<OrdersDbContext>().UseSqlite($"Data Source={file}").Options))
        {
            Assert.True(await legacy.Database.EnsureCreatedAsync());
            legacy.Set<InboxState>().Add(new InboxState { MessageId = Guid.NewGuid(), ConsumerId = Guid.NewGuid(), Received = DateTime.UtcNow });
            await legacy.SaveChangesAsync();
        }

        using var host = Host<OrdersDbContext, OrdersSqliteMigrations>("Orders", file);
        await host.MigrateDatabaseAsync<OrdersDbContext>();

        await using var scope = host.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<OrdersDbContext>();
        Assert.Equal(1, await db.Set<InboxState>().CountAsync());
        Assert.Empty(await db.Database.SqlQueryRaw<string>(
            "SELECT name AS \"Value\" FROM sqlite_master WHERE type = 'table' AND name = '__EFMigrationsHistory'").ToListAsync());
    }

    async Task MigratesAndStaysMigrated<TDbContext, TMigrations>(string name)
        where TDbContext : DbContext
        where TMigrations : TDbContext
    {
        var file = Path.Combine(_folder, name + ".db");
        using var host = Host<TDbContext, TMigrations>(name, file);

        // Twice: the second start finds every migration applied and changes nothing.
        await host.MigrateDatabaseAsync<TDbContext>();
        await host.MigrateDatabaseAsync<TDbContext>();

        await using var scope = host.Services.CreateAsyncScope();
        var migrator = scope.ServiceProvider.GetRequiredService<SqliteMigrations<TDbContext>>().Create($"Data Source={file}");
        await using (migrator)
        {
            var all = migrator.Database.GetMigrations().ToList();
            Assert.NotEmpty(all);
            Assert.Equal(all, await migrator.Database.GetAppliedMigrationsAsync());
            // The SQLite set is complete for the model (a model change without a SQLite migration fails here).
            Assert.False(migrator.Database.HasPendingModelChanges());
        }

        // The service's own context works on the migrated schema.
        var db = scope.ServiceProvider.GetRequiredService<TDbContext>();
        db.Set<InboxState>().Add(new InboxState { MessageId = Guid.NewGuid(), ConsumerId = Guid.NewGuid(), Received = DateTime.UtcNow });
        await db.SaveChangesAsync();
        Assert.Equal(1, await db.Set<InboxState>().CountAsync());
    }

    static IHost Host<TDbContext, TMigrations>(string name, string file)
        where TDbContext : DbContext
        where TMigrations : TDbContext
    {
        var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            [ServiceDatabaseExtensions.ProviderKey] = ServiceDatabaseExtensions.Sqlite,
            [$"ConnectionStrings:{name}"] = $"Data Source={file}",
        });
        builder.Services.AddServiceDatabase<TDbContext, TMigrations>(builder.Configuration, name);
        return builder.Build();
    }

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }
}
