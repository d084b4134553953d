using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Shop.Orders.Api.Domain;

namespace Shop.Orders.Api.Persistence.Configurations;

sealed class IdempotencyKeyConfiguration : IEntityTypeConfiguration<IdempotencyKey>
{
    public void Configure(EntityTypeBuilder<IdempotencyKey> key)
    {
        key.ToTable("idempotency_keys");
        // The primary key is the unique index that settles two concurrent requests with one key.
        key.HasKey(x => x.Key);
        key.Property(x => x.Key).HasColumnName("key").HasMaxLength(IdempotencyKeyRules.MaxLength);
        key.Property(x => x.RequestHash).HasColumnName("request_hash").HasMaxLength(64);
        key.Property(x => x.OrderId).HasColumnName("order_id");
        key.Property(x => x.CreatedAt).HasColumnName("created_at");
        key.HasOne<Order>().WithMany().HasForeignKey(x => x.OrderId).OnDelete(DeleteBehavior.Cascade);
    }
}

public static class IdempotencyKeyRules
{
    public const int MaxLength = 200;
}
