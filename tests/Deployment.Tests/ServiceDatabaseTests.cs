using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Shop.Images.Worker.Persistence;
using Shop.Notifications.Worker.Persistence;
using Shop.Orders.Api.Persistence;
using Shop.Payments.Worker.Persistence;
using Shop.ServiceDefaults;

namespace Shop.Deployment.Tests;

/// <summary>How a service's own database is registered: what every service gets without configuring it.</summary>
public sealed class ServiceDatabaseTests
{
    [Fact]
    public void Prepares_statements_unless_the_connection_string_says_otherwise()
    {
        var prepared = new NpgsqlConnectionStringBuilder(ServiceDatabaseExtensions.WithPreparedStatements("Host=db;Database=orders"));
        Assert.Equal(32, prepared.MaxAutoPrepare);
        Assert.True(prepared.NoResetOnClose);
        Assert.False(new NpgsqlConnectionStringBuilder(
            ServiceDatabaseExtensions.WithPreparedStatements("Host=db;No Reset On Close=false")).NoResetOnClose);
        Assert.Equal("db", prepared.Host);

        // Behind a pooler in transaction mode prepared statements must stay off; an explicit choice is kept as written.
        const string explicitOff = "Host=db;Database=orders;Max Auto Prepare=0";
        Assert.Equal(explicitOff, ServiceDatabaseExtensions.WithPreparedStatements(explicitOff));
        Assert.Equal(0, new NpgsqlConnectionStringBuilder(ServiceDatabaseExtensions.WithPreparedStatements("Host=db;MaxAutoPrepare=0")).MaxAutoPrepare);
    }

    [Theory]
    [InlineData("PostgreSql", "Host=127.0.0.1;Database=orders")]
    [InlineData("Sqlite", "Data Source=orders.db")]
    public void Pools_the_DbContext(string provider, string connectionString)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Database:Provider"] = provider,
            ["ConnectionStrings:Orders"] = connectionString
        }).Build();

        var services = new ServiceCollection().AddServiceDatabase<OrdersDbContext>(configuration, "Orders");

        using var serviceProvider = services.BuildServiceProvider();
        OrdersDbContext first;
        using (var scope = serviceProvider.CreateScope())
        {
            first = scope.ServiceProvider.GetRequiredService<OrdersDbContext>();
            Assert.Equal(provider == "Sqlite" ? "Microsoft.EntityFrameworkCore.Sqlite" : "Npgsql.EntityFrameworkCore.PostgreSQL",
                first.Database.ProviderName);
        }

        // A pooled context goes back to the pool with its scope and serves the next one, reset.
        using (var scope = serviceProvider.CreateScope())
            Assert.Same(first, scope.ServiceProvider.GetRequiredService<OrdersDbContext>());
    }

    [Fact]
    public void Every_services_postgresql_migrations_match_its_model()
    {
        // A model change without a migration would otherwise surface only when a service starts against PostgreSQL.
        DbContext[] contexts =
        [
            new OrdersDbContextDesignTimeFactory().CreateDbContext([]),
            new PaymentsDbContextDesignTimeFactory().CreateDbContext([]),
            new NotificationsDbContextDesignTimeFactory().CreateDbContext([]),
            new ImagesDbContextDesignTimeFactory().CreateDbContext([]),
        ];
        foreach (var db in contexts)
        {
            using (db)
            {
                Assert.NotEmpty(db.Database.GetMigrations());
                Assert.False(db.Database.HasPendingModelChanges(), $"{db.GetType().Name} has model changes without a migration");
            }
        }
    }
}
