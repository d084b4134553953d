using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Shop.Orders.Api.Domain;

namespace Shop.Orders.Api.Persistence.Configurations;

sealed class OrderTimelineEntryConfiguration : IEntityTypeConfiguration<OrderTimelineEntry>
{
    public void Configure(EntityTypeBuilder<OrderTimelineEntry> entry)
    {
        entry.ToTable("order_timeline");
        entry.HasKey(x => x.Id);
        entry.Property(x => x.Id).HasColumnName("id").UseIdentityByDefaultColumn();
        entry.Property(x => x.OrderId).HasColumnName("order_id");
        entry.Property(x => x.Status).HasColumnName("status").HasMaxLength(32);
        entry.Property(x => x.Reason).HasColumnName("reason").HasMaxLength(500);
        entry.Property(x => x.At).HasColumnName("at");
        entry.HasIndex(x => new { x.OrderId, x.Id });
    }
}
