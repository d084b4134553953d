using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Shop.Orders.Api.Domain;

namespace Shop.Orders.Api.Persistence.Configurations;

sealed class StockReservationConfiguration : IEntityTypeConfiguration<StockReservation>
{
    public void Configure(EntityTypeBuilder<StockReservation> reservation)
    {
        reservation.ToTable("stock_reservations");
        reservation.HasKey(x => x.Id);
        reservation.Property(x => x.Id).HasColumnName("id").UseIdentityByDefaultColumn();
        reservation.Property(x => x.OrderId).HasColumnName("order_id");
        reservation.Property(x => x.Sku).HasColumnName("sku").HasMaxLength(64);
        reservation.Property(x => x.Quantity).HasColumnName("quantity");
        reservation.Property(x => x.ReservedAt).HasColumnName("reserved_at");
        reservation.Property(x => x.ReleasedAt).HasColumnName("released_at");
        // One reservation per order and SKU: a second ReserveStock for the order can never take twice.
        reservation.HasIndex(x => new { x.OrderId, x.Sku }).IsUnique();
    }
}
