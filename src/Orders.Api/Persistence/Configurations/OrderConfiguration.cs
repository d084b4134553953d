using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Shop.Orders.Api.Domain;

namespace Shop.Orders.Api.Persistence.Configurations;

sealed class OrderConfiguration : IEntityTypeConfiguration<Order>
{
    public void Configure(EntityTypeBuilder<Order> order)
    {
        order.ToTable("orders");
        order.HasKey(x => x.Id);
        order.Property(x => x.Id).HasColumnName("id").ValueGeneratedNever();
        order.Property(x => x.CustomerId).HasColumnName("customer_id");
        order.Property(x => x.Email).HasColumnName("email").HasMaxLength(254);
        order.Property(x => x.Total).HasColumnName("total").HasPrecision(18, 2);
        order.Property(x => x.Currency).HasColumnName("currency").HasMaxLength(3);
        order.Property(x => x.Status).HasColumnName("status").HasMaxLength(32);
        order.Property(x => x.CancellationReason).HasColumnName("cancellation_reason").HasMaxLength(500);
        order.Property(x => x.CreatedAt).HasColumnName("created_at");
        order.Property(x => x.UpdatedAt).HasColumnName("updated_at");
        order.HasIndex(x => x.CustomerId);
        order.HasMany(x => x.Items).WithOne().HasForeignKey(x => x.OrderId).OnDelete(DeleteBehavior.Cascade);
        order.HasMany(x => x.Timeline).WithOne().HasForeignKey(x => x.OrderId).OnDelete(DeleteBehavior.Cascade);
        // The collections are the order's own (lines only through AddLine): EF Core fills and reads their fields.
        order.Navigation(x => x.Items).UsePropertyAccessMode(PropertyAccessMode.Field);
        order.Navigation(x => x.Timeline).UsePropertyAccessMode(PropertyAccessMode.Field);
    }
}
