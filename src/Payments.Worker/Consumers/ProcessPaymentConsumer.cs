using MassTransit;
using Microsoft.EntityFrameworkCore;
using Polly.Timeout;
using Shop.Contracts.Payments;
using Shop.Messaging.EntityFrameworkCore;
using Shop.Payments.Worker.Gateway;
using Shop.Payments.Worker.Persistence;

namespace Shop.Payments.Worker.Consumers;

/// <summary>
/// Charges an order at most once. A repeated request (redelivery, or a new command for an order already in the
/// ledger) publishes the recorded outcome again. When the gateway pipeline gives up (timeouts, outage, open circuit)
/// the payment ends as <see cref="PaymentFailed"/> so the order saga always gets an answer.
/// The gateway can take seconds: no database transaction waits for it. The attempt is recorded first, then the
/// gateway is asked (the order id is its idempotency key, so asking again after a crash charges nothing twice), then
/// the outcome commits with the outgoing event and the inbox row.
/// </summary>
[ConsumesOutsideTransaction]
public sealed class ProcessPaymentConsumer(
    PaymentsDbContext db,
    ResilientPaymentGateway gateway,
    TimeProvider time,
    ILogger<ProcessPaymentConsumer> logger) : IConsumer<ProcessPayment>
{
    // Compiled once: a LINQ query pays for parameter extraction and a cache lookup of its expression on every call.
    static readonly Func<PaymentsDbContext, Guid, CancellationToken, Task<Payment?>> PaymentOf = EF.CompileAsyncQuery(
        (PaymentsDbContext db, Guid orderId, CancellationToken _) => db.Payments.SingleOrDefault(p => p.OrderId == orderId));

    public async Task Consume(ConsumeContext<ProcessPayment> context)
    {
        var command = context.Message;
        Validate(command);

        var payment = await PaymentOf(db, command.OrderId, context.CancellationToken)
            ?? await RecordAttempt(command, context.CancellationToken);
        if (payment is { Status: not PaymentStatus.Pending } recorded)
        {
            logger.LogInformation("Order {OrderId} already has payment {PaymentId} ({Status}); publishing its outcome again",
                command.OrderId, recorded.Id, recorded.Status);
            if (recorded.Amount != command.Amount && recorded.Status != PaymentStatus.Voided)
            {
                logger.LogWarning("Order {OrderId} asked for {Amount} {Currency} but was charged {RecordedAmount} {RecordedCurrency}; not charging again",
                    command.OrderId, command.Amount, command.Currency, recorded.Amount, recorded.Currency);
            }

            await PublishOutcome(context, recorded);
            return;
        }

        // Pending: this attempt, one that died before its outcome was written, or one still waiting on the gateway
        // in a concurrent delivery. Asking the gateway again is safe: it answers for the order with the same charge.
        try
        {
            var result = await gateway.Charge(new ChargeRequest(command.OrderId, command.Amount, command.Currency, command.CardToken),
                context.CancellationToken);

            if (result.Approved)
                payment.Complete(result.ProviderReference ?? "", time.GetUtcNow());
            else
                payment.Decline(result.DeclineReason ?? "payment declined", time.GetUtcNow());
        }
        catch (Exception exception) when (ResilientPaymentGateway.IsOutage(exception))
        {
            logger.LogWarning(exception, "The payment gateway gave no answer for order {OrderId}; the payment fails", command.OrderId);
            payment.Fail(exception is TimeoutRejectedException ? "payment gateway timed out" : "payment gateway unavailable", time.GetUtcNow());
        }

        // A charge that went through is the everyday case (Debug); one that did not is worth reading (Information).
        logger.Log(payment.Status == PaymentStatus.Completed ? LogLevel.Debug : LogLevel.Information,
            "Payment {PaymentId} of order {OrderId} for {Amount} {Currency}: {Status}",
            payment.Id, payment.OrderId, payment.Amount, payment.Currency, payment.Status);
        await PublishOutcome(context, payment);
    }

    /// <summary>Commits the attempt on its own, before the gateway hears of it (one row per order: a unique key).</summary>
    async Task<Payment> RecordAttempt(ProcessPayment command, CancellationToken cancellationToken)
    {
        var payment = Payment.Start(NewId.NextGuid(), command.OrderId, command.Amount, command.Currency, time.GetUtcNow());
        db.Payments.Add(payment);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
            return payment;
        }
        catch (DbUpdateException)
        {
            // A concurrent delivery recorded it first, or a refund voided the order: carry on with that row.
            db.ChangeTracker.Clear();
            return await db.Payments.SingleOrDefaultAsync(p => p.OrderId == command.OrderId, cancellationToken) ?? throw new InvalidOperationException(
                $"Recording the payment of order {command.OrderId} failed, and no other delivery recorded it.");
        }
    }

    static void Validate(ProcessPayment command)
    {
        if (command.OrderId == Guid.Empty)
            throw new InvalidPaymentRequestException("ProcessPayment needs an order id.");
        if (command.Amount <= 0)
            throw new InvalidPaymentRequestException($"Order {command.OrderId}: the amount must be greater than zero, not {command.Amount}.");
        if (command.Currency is not { Length: 3 })
            throw new InvalidPaymentRequestException($"Order {command.OrderId}: '{command.Currency}' is not an ISO 4217 currency code.");
        if (string.IsNullOrWhiteSpace(command.CardToken))
            throw new InvalidPaymentRequestException($"Order {command.OrderId}: a card token is required.");
    }

    static Task PublishOutcome(ConsumeContext context, Payment payment) => payment.Status switch
    {
        PaymentStatus.Completed => context.Publish(new PaymentCompleted(payment.OrderId, payment.Id.ToString(), payment.Amount, payment.Currency)),
        PaymentStatus.Pending => throw new InvalidOperationException($"Payment {payment.Id} of order {payment.OrderId} is still pending."),
        _ => context.Publish(new PaymentFailed(payment.OrderId, payment.FailureReason ?? "payment failed"))
    };
}
