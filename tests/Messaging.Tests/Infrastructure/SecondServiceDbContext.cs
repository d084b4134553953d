using Microsoft.EntityFrameworkCore;
using Shop.Messaging.EntityFrameworkCore.Storage;
using Shop.Messaging.Tests.Components;

namespace Shop.Messaging.Tests.Infrastructure;

/// <summary>Another service's database, for hosts that compose two services onto one bus.</summary>
public sealed class SecondServiceDbContext(DbContextOptions<SecondServiceDbContext> options) : DbContext(options)
{
    public DbSet<Effect> Effects => Set<Effect>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.AddDurableMessaging();

        modelBuilder.Entity<Effect>(effect =>
        {
            effect.ToTable("effects");
            effect.HasKey(x => x.Id);
            effect.Property(x => x.Id).HasColumnName("id");
            effect.Property(x => x.Key).HasColumnName("key").HasMaxLength(200);
            effect.Property(x => x.Consumer).HasColumnName("consumer").HasMaxLength(200);
        });
    }
}
