using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;
using Shop.Messaging.EntityFrameworkCore.Storage;
using Shop.Messaging.Tests.Components;

namespace Shop.Messaging.Tests.Infrastructure;

/// <summary>A service's database as the durable store sees it: business tables plus the messaging tables.</summary>
public sealed class TestDbContext(DbContextOptions<TestDbContext> options) : DbContext(options)
{
    public DbSet<Effect> Effects => Set<Effect>();
    public DbSet<CounterState> Counters => Set<CounterState>();
    public DbSet<KeyedEffect> KeyedEffects => Set<KeyedEffect>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.AddDurableMessaging();

        modelBuilder.Entity<Effect>(effect =>
        {
            effect.ToTable("effects");
            effect.HasKey(x => x.Id);
            effect.Property(x => x.Id).HasColumnName("id").UseIdentityByDefaultColumn();
            effect.Property(x => x.Key).HasColumnName("key").HasMaxLength(200);
            effect.Property(x => x.Consumer).HasColumnName("consumer").HasMaxLength(200);
            effect.HasIndex(x => x.Key);
        });

        modelBuilder.Entity<KeyedEffect>(effect =>
        {
            effect.ToTable("keyed_effects");
            effect.HasKey(x => x.Id);
            effect.Property(x => x.Id).HasColumnName("id").ValueGeneratedNever();
            effect.Property(x => x.Key).HasColumnName("key").HasMaxLength(200);
            effect.HasIndex(x => x.Key);
        });

        modelBuilder.Entity<CounterState>(counter =>
        {
            counter.ToTable("counter_state");
            counter.HasKey(x => x.CorrelationId);
            counter.Property(x => x.CorrelationId).HasColumnName("correlation_id");
            counter.Property(x => x.CurrentState).HasColumnName("current_state").HasMaxLength(64);
            counter.Property(x => x.Count).HasColumnName("count");
            counter.Property(x => x.ReminderTokenId).HasColumnName("reminder_token_id");
            counter.Property(x => x.Reminded).HasColumnName("reminded");
        });
    }
}

/// <summary>Lets <c>dotnet ef migrations add</c> build the model without a running host.</summary>
public sealed class TestDbContextDesignTimeFactory : IDesignTimeDbContextFactory<TestDbContext>
{
    public TestDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<TestDbContext>().UseNpgsql("Host=127.0.0.1;Database=design_time").Options);
}
