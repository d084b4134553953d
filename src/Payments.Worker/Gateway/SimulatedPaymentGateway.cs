using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.Extensions.Options;

namespace Shop.Payments.Worker.Gateway;

/// <summary>
/// A stand-in provider whose answer depends on the card token, so every path of the payment flow can be driven
/// end to end: <c>tok_declined</c>, <c>tok_insufficient_funds</c>, <c>tok_flaky</c> (transient failures, then approved),
/// <c>tok_slow</c> (never answers in time); any other <c>tok_*</c> is approved.
/// </summary>
public sealed class SimulatedPaymentGateway(IOptionsMonitor<PaymentGatewayOptions> options, TimeProvider time) : IPaymentGateway
{
    public const string DeclinedToken = "tok_declined";
    public const string InsufficientFundsToken = "tok_insufficient_funds";
    public const string FlakyToken = "tok_flaky";
    public const string SlowToken = "tok_slow";

    readonly ConcurrentDictionary<Guid, int> _flakyAttempts = new();

    // Like a real provider honouring an idempotency key: the same order gets the same charge back.
    readonly ConcurrentDictionary<Guid, string> _charges = new();

    public async Task<PaymentResult> Charge(ChargeRequest request, CancellationToken cancellationToken)
    {
        var settings = options.CurrentValue;
        await Task.Delay(request.CardToken == SlowToken ? settings.SlowLatency : settings.Latency, time, cancellationToken);

        switch (request.CardToken)
        {
            case DeclinedToken:
                return PaymentResult.Decline("card declined");
            case InsufficientFundsToken:
                return PaymentResult.Decline("insufficient funds");
            case FlakyToken:
                var attempt = _flakyAttempts.AddOrUpdate(request.OrderId, 1, (_, count) => count + 1);
                if (attempt <= settings.FlakyFailures)
                    throw new PaymentGatewayUnavailableException($"simulated gateway outage (attempt {attempt} for order {request.OrderId})");
                break;
            case var token when !token.StartsWith("tok_", StringComparison.Ordinal):
                return PaymentResult.Decline("card token not recognised");
        }

        string charge;
        if (settings.LedgerPath is { Length: > 0 } ledger)
        {
            lock (LedgerLock)
            {
                charge = _charges.GetOrAdd(request.OrderId, orderId => Recorded(ledger, orderId) ?? $"sim_ch_{Guid.NewGuid():N}");
                Record(ledger, request, charge);
            }
        }
        else
        {
            charge = _charges.GetOrAdd(request.OrderId, _ => $"sim_ch_{Guid.NewGuid():N}");
        }

        return PaymentResult.Approve(charge);
    }

    static readonly Lock LedgerLock = new();

    /// <summary>
    /// With a ledger the simulator keeps its idempotency keys where a real provider does, outside the worker: a worker
    /// that crashed and asks again for the same order gets the charge it was given before. A second charge id for one
    /// order in the ledger is then a charge our side asked for twice under different keys.
    /// </summary>
    static string? Recorded(string ledger, Guid orderId)
    {
        if (!File.Exists(ledger))
            return null;

        foreach (var line in File.ReadLines(ledger))
        {
            using var entry = JsonDocument.Parse(line);
            if (entry.RootElement.GetProperty("orderId").GetGuid() == orderId)
                return entry.RootElement.GetProperty("charge").GetString();
        }

        return null;
    }

    // One line per approved answer, written before it is returned, as the provider's own records would show it.
    void Record(string ledger, ChargeRequest request, string charge)
    {
        var line = JsonSerializer.Serialize(new
        {
            orderId = request.OrderId, charge, amount = request.Amount, currency = request.Currency,
            processId = Environment.ProcessId, at = time.GetUtcNow()
        }) + "\n";
        File.AppendAllText(ledger, line);
    }

    public async Task<RefundResult> Refund(RefundRequest request, CancellationToken cancellationToken)
    {
        await Task.Delay(options.CurrentValue.Latency, time, cancellationToken);
        return new RefundResult($"sim_re_{Guid.NewGuid():N}");
    }
}
