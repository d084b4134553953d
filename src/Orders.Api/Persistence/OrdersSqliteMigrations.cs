using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace Shop.Orders.Api.Persistence;

/// <summary>
/// The context of the SQLite migrations (standalone mode): EF Core keeps one set of migrations per context type and
/// provider, and <see cref="OrdersDbContext"/>'s own are PostgreSQL's. The model is the same; only the migrations differ.
/// </summary>
public sealed class OrdersSqliteMigrations(DbContextOptions<OrdersSqliteMigrations> options) : OrdersDbContext(options);

/// <summary>Lets <c>dotnet ef migrations add … --context OrdersSqliteMigrations</c> build the model without starting the service.</summary>
public sealed class OrdersSqliteMigrationsDesignTimeFactory : IDesignTimeDbContextFactory<OrdersSqliteMigrations>
{
    public OrdersSqliteMigrations CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<OrdersSqliteMigrations>().UseSqlite("Data Source=design_time.db").Options);
}
