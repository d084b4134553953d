using MassTransit;
using Shop.Contracts.Orders;
using Shop.Messaging.Sagas;

namespace Shop.Orders.Api.StateMachines;

/// <summary>
/// Refuses (sets the cancellation reason of) an order the API kept no card token for, or that <see cref="IOrderCheck"/>
/// does not let through.
/// </summary>
public sealed class CheckOrderActivity(IOrderCheck check, ILogger<CheckOrderActivity> logger)
    : SagaStep<OrderState, OrderSubmitted>("check-order")
{
    protected override async Task Run(BehaviorContext<OrderState, OrderSubmitted> context)
    {
        // The API keeps the card token of every order it places; an order published by anyone else has none, and
        // is refused before any stock is reserved rather than failing at the payment.
        var refusal = context.Saga.CardToken is null
            ? "no card token was kept for it (it was not placed through the API)"
            : await check.RefusalOf(context.Message, context.CancellationToken);
        if (refusal is not null)
        {
            logger.LogWarning("Order {OrderId} refused before any charge: {Reason} (published by {SourceAddress})",
                context.Message.OrderId, refusal, context.SourceAddress);
            context.Saga.CancellationReason = $"order refused: {refusal}";
        }
    }
}
