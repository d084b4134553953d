using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Shop.Orders.Api.StateMachines;

namespace Shop.Orders.Api.Persistence.Configurations;

sealed class OrderStateConfiguration : IEntityTypeConfiguration<OrderState>
{
    public void Configure(EntityTypeBuilder<OrderState> state)
    {
        state.ToTable("order_state");
        state.HasKey(x => x.CorrelationId);
        state.Property(x => x.CorrelationId).HasColumnName("correlation_id").ValueGeneratedNever();
        state.Property(x => x.CurrentState).HasColumnName("current_state").HasMaxLength(64);
        state.Property(x => x.CustomerId).HasColumnName("customer_id");
        state.Property(x => x.Email).HasColumnName("email").HasMaxLength(254);
        state.Property(x => x.Total).HasColumnName("total").HasPrecision(18, 2);
        state.Property(x => x.Currency).HasColumnName("currency").HasMaxLength(3);
        state.Property(x => x.CardToken).HasColumnName("card_token").HasMaxLength(200);
        state.Property(x => x.CancellationReason).HasColumnName("cancellation_reason").HasMaxLength(500);
        state.Property(x => x.PaymentId).HasColumnName("payment_id").HasMaxLength(100);
        state.Property(x => x.RefundRequested).HasColumnName("refund_requested");
        state.Property(x => x.StockTimeoutTokenId).HasColumnName("stock_timeout_token_id");
        state.Property(x => x.PaymentTimeoutTokenId).HasColumnName("payment_timeout_token_id");
        state.Property(x => x.SubmittedAt).HasColumnName("submitted_at");
        state.Property(x => x.UpdatedAt).HasColumnName("updated_at");
    }
}
