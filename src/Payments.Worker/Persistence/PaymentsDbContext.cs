using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;
using Shop.Messaging.EntityFrameworkCore.Storage;

namespace Shop.Payments.Worker.Persistence;

public class PaymentsDbContext : DbContext
{
    public PaymentsDbContext(DbContextOptions<PaymentsDbContext> options) : base(options)
    {
    }

    /// <summary>For <see cref="PaymentsSqliteMigrations"/>, which shares this model.</summary>
    protected PaymentsDbContext(DbContextOptions options) : base(options)
    {
    }

    public DbSet<Payment> Payments => Set<Payment>();
    public DbSet<Refund> Refunds => Set<Refund>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.AddDurableMessaging();

        modelBuilder.Entity<Payment>(payment =>
        {
            payment.ToTable("payments");
            payment.HasKey(x => x.Id);
            payment.Property(x => x.Id).HasColumnName("id").ValueGeneratedNever();
            payment.Property(x => x.OrderId).HasColumnName("order_id");
            payment.Property(x => x.Amount).HasColumnName("amount").HasPrecision(19, 4);
            payment.Property(x => x.Currency).HasColumnName("currency").HasMaxLength(3);
            payment.Property(x => x.Status).HasColumnName("status").HasConversion<string>().HasMaxLength(16);
            payment.Property(x => x.ProviderReference).HasColumnName("provider_reference").HasMaxLength(200);
            payment.Property(x => x.FailureReason).HasColumnName("failure_reason").HasMaxLength(Payment.ReasonLength);
            payment.Property(x => x.CreatedAt).HasColumnName("created_at");
            payment.Property(x => x.CompletedAt).HasColumnName("completed_at");
            // One charge per order: a second delivery racing the first blocks on this key, then finds the outcome.
            payment.HasIndex(x => x.OrderId).IsUnique();
        });

        modelBuilder.Entity<Refund>(refund =>
        {
            refund.ToTable("refunds");
            refund.HasKey(x => x.Id);
            refund.Property(x => x.Id).HasColumnName("id").ValueGeneratedNever();
            refund.Property(x => x.PaymentId).HasColumnName("payment_id");
            refund.Property(x => x.OrderId).HasColumnName("order_id");
            refund.Property(x => x.Amount).HasColumnName("amount").HasPrecision(19, 4);
            refund.Property(x => x.Currency).HasColumnName("currency").HasMaxLength(3);
            refund.Property(x => x.Reason).HasColumnName("reason").HasMaxLength(Payment.ReasonLength);
            refund.Property(x => x.ProviderReference).HasColumnName("provider_reference").HasMaxLength(200);
            refund.Property(x => x.CreatedAt).HasColumnName("created_at");
            refund.HasIndex(x => x.OrderId).IsUnique();
            refund.HasOne<Payment>().WithMany().HasForeignKey(x => x.PaymentId).OnDelete(DeleteBehavior.Restrict);
        });
    }
}

/// <summary>Lets <c>dotnet ef migrations add</c> build the model without a running host.</summary>
public sealed class PaymentsDbContextDesignTimeFactory : IDesignTimeDbContextFactory<PaymentsDbContext>
{
    public PaymentsDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<PaymentsDbContext>().UseNpgsql("Host=127.0.0.1;Database=design_time").Options);
}
