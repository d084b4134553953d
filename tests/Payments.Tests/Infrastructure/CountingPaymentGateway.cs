using System.Collections.Concurrent;
using Shop.Payments.Worker.Gateway;

namespace Shop.Payments.Tests.Infrastructure;

/// <summary>
/// The simulator, counting what reached it: calls per order, and charges it approved (money taken). A charge with
/// <see cref="HeldToken"/> waits until the test lets it go, as a provider that takes its time would.
/// </summary>
public sealed class CountingPaymentGateway(SimulatedPaymentGateway inner) : IPaymentGateway
{
    public const string HeldToken = "tok_held";

    readonly ConcurrentDictionary<(Guid, string), int> _counts = new();
    readonly ConcurrentDictionary<Guid, ConcurrentDictionary<string, bool>> _charges = new();
    readonly ConcurrentDictionary<Guid, TaskCompletionSource> _held = new();
    readonly ConcurrentDictionary<Guid, TaskCompletionSource> _waiting = new();

    /// <summary>Completes once a held charge of <paramref name="orderId"/> is waiting at the gateway.</summary>
    public Task Waiting(Guid orderId) => _waiting.GetOrAdd(orderId, _ => new(TaskCreationOptions.RunContinuationsAsynchronously)).Task;

    public void Release(Guid orderId) => _held.GetOrAdd(orderId, _ => new(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();

    public int ChargeCalls(Guid orderId) => _counts.GetValueOrDefault((orderId, "charge"));
    /// <summary>Money taken: distinct charges approved (the provider answers a repeated request with the same charge).</summary>
    public int Charges(Guid orderId) => _charges.TryGetValue(orderId, out var charges) ? charges.Count : 0;
    public int Refunds(Guid orderId) => _counts.GetValueOrDefault((orderId, "refund"));

    public async Task<PaymentResult> Charge(ChargeRequest request, CancellationToken cancellationToken)
    {
        Count(request.OrderId, "charge");
        if (request.CardToken == HeldToken)
        {
            _waiting.GetOrAdd(request.OrderId, _ => new(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
            await _held.GetOrAdd(request.OrderId, _ => new(TaskCreationOptions.RunContinuationsAsynchronously)).Task.WaitAsync(cancellationToken);
        }

        var result = await inner.Charge(request, cancellationToken);
        if (result.Approved)
            _charges.GetOrAdd(request.OrderId, _ => new())[result.ProviderReference ?? ""] = true;
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
