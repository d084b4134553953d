using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Shop.Orders.Api.Domain;
using Shop.Orders.Api.Endpoints;

namespace Shop.Orders.Api.Persistence.Configurations;

sealed class OrderCardTokenConfiguration : IEntityTypeConfiguration<OrderCardToken>
{
    public void Configure(EntityTypeBuilder<OrderCardToken> token)
    {
        token.ToTable("order_card_tokens");
        token.HasKey(x => x.OrderId);
        token.Property(x => x.OrderId).HasColumnName("order_id");
        token.Property(x => x.CardToken).HasColumnName("card_token").HasMaxLength(CreateOrderValidator.MaxCardTokenLength);
        token.Property(x => x.CreatedAt).HasColumnName("created_at");
        token.HasOne<Order>().WithMany().HasForeignKey(x => x.OrderId).OnDelete(DeleteBehavior.Cascade);
    }
}
