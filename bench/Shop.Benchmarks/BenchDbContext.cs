using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Shop.Messaging.EntityFrameworkCore.Storage;
using Shop.ServiceDefaults;

namespace Shop.Benchmarks;

public sealed record Payload(Guid Id, string Data);
public sealed record Processed(Guid Id);
public sealed record LagProbe(Guid Id, long CommittedAtTicks);

public sealed class BusinessRow
{
    public Guid Id { get; set; }
    public string Data { get; set; } = "";
}

public sealed class BenchDbContext(DbContextOptions<BenchDbContext> options) : DbContext(options)
{
    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.AddDurableMessaging();
        modelBuilder.Entity<BusinessRow>(row =>
        {
            row.ToTable("business_rows");
            row.HasKey(x => x.Id);
            row.Property(x => x.Id).HasColumnName("id");
            row.Property(x => x.Data).HasColumnName("data");
        });
    }
}

public static class BenchDatabase
{
    /// <summary>Registers <see cref="BenchDbContext"/> as the services register theirs (pooled, prepared statements).</summary>
    public static IServiceCollection AddBenchDatabase(this IServiceCollection services, string connectionString) =>
        services.AddServiceDatabase<BenchDbContext>(new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["ConnectionStrings:Bench"] = connectionString }).Build(), "Bench");
}
