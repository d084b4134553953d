using MassTransit;
using Microsoft.EntityFrameworkCore;
using Shop.Contracts.Payments;
using Shop.Messaging;
using Shop.Payments.Worker.Gateway;
using Shop.Payments.Worker.Persistence;

namespace Shop.Payments.Worker.Consumers;

/// <summary>
/// Refunds an order's charge once and answers every request with <see cref="PaymentRefunded"/>, so a compensating
/// saga never waits in vain. An amount of zero means nothing had been charged; when no payment exists yet the order
/// is voided, so a charge request still on its way is refused instead of taking money for a cancelled order.
/// </summary>
public sealed class RefundPaymentConsumer(
    PaymentsDbContext db,
    ResilientPaymentGateway gateway,
    TimeProvider time,
    ILogger<RefundPaymentConsumer> logger) : IConsumer<RefundPayment>
{
    public async Task Consume(ConsumeContext<RefundPayment> context)
    {
        var command = context.Message;
        if (command.OrderId == Guid.Empty)
            throw new InvalidPaymentRequestException("RefundPayment needs an order id.");

        var payment = await db.Payments.SingleOrDefaultAsync(p => p.OrderId == command.OrderId, context.CancellationToken);
        if (payment is null)
        {
            payment = Payment.Void(NewId.NextGuid(), command.OrderId, command.Reason, time.GetUtcNow());
            db.Payments.Add(payment);
            logger.LogInformation("Nothing was charged for order {OrderId}; voiding it so that a later charge request is refused", command.OrderId);
            await PublishNothingRefunded(context, payment);
            return;
        }

        // The charge is recorded before the gateway is asked, outside any transaction: until its outcome is written,
        // whether there is money to give back is unknown.
        if (payment.Status == PaymentStatus.Pending)
            throw new TransientException($"The payment of order {payment.OrderId} is still waiting for the gateway; the refund waits for its outcome.");

        if (payment.Status != PaymentStatus.Completed)
        {
            logger.LogInformation("Payment {PaymentId} of order {OrderId} is {Status}: there is nothing to refund", payment.Id, payment.OrderId, payment.Status);
            await PublishNothingRefunded(context, payment);
            return;
        }

        var refund = await db.Refunds.SingleOrDefaultAsync(r => r.OrderId == command.OrderId, context.CancellationToken);
        if (refund is null)
        {
            // Written before the gateway call for the same reason as the charge: a racing duplicate waits on the key.
            refund = Refund.Of(payment, NewId.NextGuid(), command.Reason, time.GetUtcNow());
            db.Refunds.Add(refund);
            await db.SaveChangesAsync(context.CancellationToken);

            try
            {
                var result = await gateway.Refund(new RefundRequest(payment.OrderId, payment.ProviderReference ?? "", payment.Amount, payment.Currency),
                    context.CancellationToken);
                refund.Confirm(result.ProviderReference);
            }
            catch (Exception exception) when (ResilientPaymentGateway.IsOutage(exception))
            {
                // Money owed to the customer cannot be given up on: roll back and let redelivery try again later.
                throw new TransientException($"The payment gateway did not confirm the refund of order {payment.OrderId}.", exception);
            }

            logger.LogInformation("Refunded {Amount} {Currency} of payment {PaymentId} for order {OrderId}: {Reason}",
                refund.Amount, refund.Currency, payment.Id, payment.OrderId, command.Reason);
        }
        else
        {
            logger.LogInformation("Order {OrderId} was already refunded; publishing the refund again", command.OrderId);
        }

        await context.Publish(new PaymentRefunded(payment.OrderId, payment.Id.ToString(), refund.Amount, refund.Currency));
    }

    static Task PublishNothingRefunded(ConsumeContext context, Payment payment) =>
        context.Publish(new PaymentRefunded(payment.OrderId, payment.Id.ToString(), 0m, payment.Currency));
}
