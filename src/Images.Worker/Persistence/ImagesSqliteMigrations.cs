using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace Shop.Images.Worker.Persistence;

/// <summary>
/// The context of the SQLite migrations (standalone mode): EF Core keeps one set of migrations per context type and
/// provider, and <see cref="ImagesDbContext"/>'s own are PostgreSQL's. The model is the same; only the migrations differ.
/// </summary>
public sealed class ImagesSqliteMigrations(DbContextOptions<ImagesSqliteMigrations> options) : ImagesDbContext(options);

/// <summary>Lets <c>dotnet ef migrations add … --context ImagesSqliteMigrations</c> build the model without starting the service.</summary>
public sealed class ImagesSqliteMigrationsDesignTimeFactory : IDesignTimeDbContextFactory<ImagesSqliteMigrations>
{
    public ImagesSqliteMigrations CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<ImagesSqliteMigrations>().UseSqlite("Data Source=design_time.db").Options);
}
