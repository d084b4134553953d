using MassTransit;
using Shop.Contracts.Orders;
using Shop.Messaging.Sagas;

namespace Shop.Orders.Api.StateMachines;

/// <summary>
/// Moves the card token the API kept for the order into the saga's state (and out of where it was kept). An order
/// another writer published has no token: its payment is refused, not taken.
/// </summary>
public sealed class TakeCardTokenActivity(IOrderCardTokens tokens) : SagaStep<OrderState, OrderSubmitted>("take-card-token")
{
    protected override async Task Run(BehaviorContext<OrderState, OrderSubmitted> context) =>
        context.Saga.CardToken = await tokens.Take(context.Saga.CorrelationId, context.CancellationToken);
}
