namespace Shop.Contracts.Payments;

/// <summary>Charge an order once; the payments ledger holds at most one charge per order.</summary>
public sealed record ProcessPayment(Guid OrderId, decimal Amount, string Currency, string CardToken);

public sealed record PaymentCompleted(Guid OrderId, string PaymentId, decimal Amount, string Currency);

public sealed record PaymentFailed(Guid OrderId, string Reason);

/// <summary>Return the charge of an order, if there is one.</summary>
public sealed record RefundPayment(Guid OrderId, string Reason);

public sealed record PaymentRefunded(Guid OrderId, string PaymentId, decimal Amount, string Currency);
