using Microsoft.EntityFrameworkCore;
using Shop.Testing;

namespace Shop.Messaging.Tests.Infrastructure;

/// <summary>The shared integration environment with the test service's schema applied from its checked-in migrations.</summary>
public sealed class TestEnvironment : IntegrationEnvironment
{
    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        await using var db = CreateDbContext();
        await db.Database.MigrateAsync();
    }

    public TestDbContext CreateDbContext() =>
        new(new DbContextOptionsBuilder<TestDbContext>().UseNpgsql(ConnectionString).Options);
}
