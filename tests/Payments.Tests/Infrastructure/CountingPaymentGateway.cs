using System.Collections.Concurrent;
using Shop.Payments.Worker.Gateway;

namespace Shop.Payments.Tests.Infrastructure;

/// <summary>The simulator, counting what reached it: calls per order, and charges it approved (money taken).</summary>
public sealed class CountingPaymentGateway(SimulatedPaymentGateway inner) : IPaymentGateway
{
    readonly ConcurrentDictionary<(Guid, string), int> _counts = new();

    public int ChargeCalls(Guid orderId) => _counts.GetValueOrDefault((orderId, "charge"));
    public int Charges(Guid orderId) => _counts.GetValueOrDefault((orderId, "approved"));
    public int Refunds(Guid orderId) => _counts.GetValueOrDefault((orderId, "refund"));

    public async Task<PaymentResult> Charge(ChargeRequest request, CancellationToken cancellationToken)
    {
        Count(request.OrderId, "charge");
        var result = await inner.Charge(request, cancellationToken);
        if (result.Approved)
            Count(request.OrderId, "approved");
        return result;
    }

    public async Task<RefundResult> Refund(RefundRequest request, CancellationToken cancellationToken)
    {
        var result = await inner.Refund(request, cancellationToken);
        Count(request.OrderId, "refund");
        return result;
    }

    void Count(Guid orderId, string what) => _counts.AddOrUpdate((orderId, what), 1, (_, n) => n + 1);
}
