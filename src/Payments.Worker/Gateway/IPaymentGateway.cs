namespace Shop.Payments.Worker.Gateway;

/// <summary>
/// The payment provider as the worker sees it. Declines are results; outages and timeouts are exceptions, which the
/// <c>payment-gateway</c> resilience pipeline retries.
/// </summary>
public interface IPaymentGateway
{
    Task<PaymentResult> Charge(ChargeRequest request, CancellationToken cancellationToken);

    Task<RefundResult> Refund(RefundRequest request, CancellationToken cancellationToken);
}

/// <summary>The order id doubles as the provider's idempotency key: asking twice for one order must not charge twice.</summary>
public sealed record ChargeRequest(Guid OrderId, decimal Amount, string Currency, string CardToken);

public sealed record PaymentResult(bool Approved, string? ProviderReference, string? DeclineReason)
{
    public static PaymentResult Approve(string providerReference) => new(true, providerReference, null);

    public static PaymentResult Decline(string reason) => new(false, null, reason);
}

public sealed record RefundRequest(Guid OrderId, string ChargeReference, decimal Amount, string Currency);

public sealed record RefundResult(string ProviderReference);
