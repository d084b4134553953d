namespace Shop.Payments.Worker.Persistence;

public enum PaymentStatus
{
    /// <summary>Only ever seen inside the transaction that calls the gateway.</summary>
    Pending,
    Completed,
    Declined,
    /// <summary>The gateway could not be reached in time; nothing is known to have been charged.</summary>
    Failed,
    /// <summary>A refund arrived before any charge: a later charge request for the order is refused.</summary>
    Voided
}

/// <summary>The ledger entry of an order: at most one per order (unique key), whatever the broker delivers.</summary>
public sealed class Payment
{
    Payment() { }

    public Guid Id { get; private set; }
    public Guid OrderId { get; private set; }
    public decimal Amount { get; private set; }
    public string Currency { get; private set; } = "";
    public PaymentStatus Status { get; private set; }
    public string? ProviderReference { get; private set; }
    public string? FailureReason { get; private set; }
    public DateTimeOffset CreatedAt { get; private set; }
    public DateTimeOffset? CompletedAt { get; private set; }

    public static Payment Start(Guid id, Guid orderId, decimal amount, string currency, DateTimeOffset now) => new()
    {
        Id = id,
        OrderId = orderId,
        Amount = amount,
        Currency = currency,
        Status = PaymentStatus.Pending,
        CreatedAt = now
    };

    public static Payment Void(Guid id, Guid orderId, string reason, DateTimeOffset now) => new()
    {
        Id = id,
        OrderId = orderId,
        Status = PaymentStatus.Voided,
        FailureReason = Clip($"order was cancelled before the payment was taken ({reason})"),
        CreatedAt = now,
        CompletedAt = now
    };

    public void Complete(string providerReference, DateTimeOffset now) => Finish(PaymentStatus.Completed, now, providerReference: providerReference);

    public void Decline(string reason, DateTimeOffset now) => Finish(PaymentStatus.Declined, now, reason);

    public void Fail(string reason, DateTimeOffset now) => Finish(PaymentStatus.Failed, now, reason);

    public const int ReasonLength = 500;

    static string Clip(string reason) => reason.Length <= ReasonLength ? reason : reason[..ReasonLength];

    void Finish(PaymentStatus status, DateTimeOffset now, string? reason = null, string? providerReference = null)
    {
        if (Status != PaymentStatus.Pending)
            throw new InvalidOperationException($"Payment {Id} of order {OrderId} is already {Status}.");

        Status = status;
        FailureReason = reason is null ? null : Clip(reason);
        ProviderReference = providerReference;
        CompletedAt = now;
    }
}
