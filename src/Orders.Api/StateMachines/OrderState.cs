using MassTransit;

namespace Shop.Orders.Api.StateMachines;

/// <summary>The order saga's instance, persisted in <c>order_state</c> by the durable store.</summary>
public sealed class OrderState : SagaStateMachineInstance
{
    public Guid CorrelationId { get; set; }
    public string CurrentState { get; set; } = "";
    public Guid CustomerId { get; set; }
    public string Email { get; set; } = "";
    public decimal Total { get; set; }
    public string Currency { get; set; } = "";

    // Kept only while a charge may still be asked for; the saga forgets it once the order is settled.
    public string? CardToken { get; set; }

    public string? CancellationReason { get; set; }
    public string? PaymentId { get; set; }
    public bool RefundRequested { get; set; }
    public Guid? StockTimeoutTokenId { get; set; }
    public Guid? PaymentTimeoutTokenId { get; set; }
    public DateTime SubmittedAt { get; set; }
    public DateTime? UpdatedAt { get; set; }
}
