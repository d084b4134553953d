using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace Shop.Payments.Worker.Persistence;

/// <summary>
/// The context of the SQLite migrations (standalone mode): EF Core keeps one set of migrations per context type and
/// provider, and <see cref="PaymentsDbContext"/>'s own are PostgreSQL's. The model is the same; only the migrations differ.
/// </summary>
public sealed class PaymentsSqliteMigrations(DbContextOptions<PaymentsSqliteMigrations> options) : PaymentsDbContext(options);

/// <summary>Lets <c>dotnet ef migrations add … --context PaymentsSqliteMigrations</c> build the model without starting the service.</summary>
public sealed class PaymentsSqliteMigrationsDesignTimeFactory : IDesignTimeDbContextFactory<PaymentsSqliteMigrations>
{
    public PaymentsSqliteMigrations CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<PaymentsSqliteMigrations>().UseSqlite("Data Source=design_time.db").Options);
}
