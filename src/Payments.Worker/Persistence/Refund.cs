namespace Shop.Payments.Worker.Persistence;

/// <summary>The refund of an order's charge: at most one per order (unique key).</summary>
public sealed class Refund
{
    Refund() { }

    public Guid Id { get; private set; }
    public Guid PaymentId { get; private set; }
    public Guid OrderId { get; private set; }
    public decimal Amount { get; private set; }
    public string Currency { get; private set; } = "";
    public string Reason { get; private set; } = "";
    public string? ProviderReference { get; private set; }
    public DateTimeOffset CreatedAt { get; private set; }

    public static Refund Of(Payment payment, Guid id, string reason, DateTimeOffset now) => new()
    {
        Id = id,
        PaymentId = payment.Id,
        OrderId = payment.OrderId,
        Amount = payment.Amount,
        Currency = payment.Currency,
        Reason = reason.Length <= Payment.ReasonLength ? reason : reason[..Payment.ReasonLength],
        CreatedAt = now
    };

    public void Confirm(string providerReference) => ProviderReference = providerReference;
}
