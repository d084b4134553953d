using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;
using Shop.Messaging.EntityFrameworkCore.Storage;

namespace Shop.Notifications.Worker.Persistence;

public class NotificationsDbContext : DbContext
{
    public NotificationsDbContext(DbContextOptions<NotificationsDbContext> options) : base(options)
    {
    }

    /// <summary>For <see cref="NotificationsSqliteMigrations"/>, which shares this model.</summary>
    protected NotificationsDbContext(DbContextOptions options) : base(options)
    {
    }

    public DbSet<NotificationRecord> Notifications => Set<NotificationRecord>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.AddDurableMessaging();

        modelBuilder.Entity<NotificationRecord>(notification =>
        {
            notification.ToTable("notifications");
            notification.HasKey(x => x.Id);
            notification.Property(x => x.Id).HasColumnName("id").UseIdentityByDefaultColumn();
            notification.Property(x => x.OrderId).HasColumnName("order_id");
            notification.Property(x => x.Kind).HasColumnName("kind").HasMaxLength(64);
            notification.Property(x => x.Recipient).HasColumnName("recipient").HasMaxLength(320);
            notification.Property(x => x.Subject).HasColumnName("subject").HasMaxLength(500);
            notification.Property(x => x.Body).HasColumnName("body");
            notification.Property(x => x.CreatedAt).HasColumnName("created_at");
            // Second guard after the inbox: the same event published again under a new message id.
            notification.HasIndex(x => new { x.OrderId, x.Kind }).IsUnique();
        });
    }
}

/// <summary>Lets <c>dotnet ef migrations add</c> build the model without a running host.</summary>
public sealed class NotificationsDbContextDesignTimeFactory : IDesignTimeDbContextFactory<NotificationsDbContext>
{
    public NotificationsDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<NotificationsDbContext>().UseNpgsql("Host=127.0.0.1;Database=design_time").Options);
}
