using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Shop.Orders.Api.Domain;

namespace Shop.Orders.Api.Persistence.Configurations;

sealed class OrderItemConfiguration : IEntityTypeConfiguration<OrderItem>
{
    public void Configure(EntityTypeBuilder<OrderItem> item)
    {
        item.ToTable("order_lines");
        item.HasKey(x => new { x.OrderId, x.Sku });
        item.Property(x => x.OrderId).HasColumnName("order_id");
        item.Property(x => x.Sku).HasColumnName("sku").HasMaxLength(64);
        item.Property(x => x.Name).HasColumnName("name").HasMaxLength(200);
        item.Property(x => x.Quantity).HasColumnName("quantity");
        item.Property(x => x.UnitPrice).HasColumnName("unit_price").HasPrecision(18, 2);
    }
}
