using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace Shop.Notifications.Worker.Persistence;

/// <summary>
/// The context of the SQLite migrations (standalone mode): EF Core keeps one set of migrations per context type and
/// provider, and <see cref="NotificationsDbContext"/>'s own are PostgreSQL's. The model is the same; only the migrations differ.
/// </summary>
public sealed class NotificationsSqliteMigrations(DbContextOptions<NotificationsSqliteMigrations> options) : NotificationsDbContext(options);

/// <summary>Lets <c>dotnet ef migrations add … --context NotificationsSqliteMigrations</c> build the model without starting the service.</summary>
public sealed class NotificationsSqliteMigrationsDesignTimeFactory : IDesignTimeDbContextFactory<NotificationsSqliteMigrations>
{
    public NotificationsSqliteMigrations CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<NotificationsSqliteMigrations>().UseSqlite("Data Source=design_time.db").Options);
}
