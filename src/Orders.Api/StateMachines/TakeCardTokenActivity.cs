using MassTransit;
using Shop.Contracts.Orders;

namespace Shop.Orders.Api.StateMachines;

/// <summary>
/// Moves the card token the API kept for the order into the saga's state (and out of where it was kept). An order
/// another writer published has no token: its payment is refused, not taken.
/// </summary>
public sealed class TakeCardTokenActivity(IOrderCardTokens tokens) : IStateMachineActivity<OrderState, OrderSubmitted>
{
    public async Task Execute(BehaviorContext<OrderState, OrderSubmitted> context, IBehavior<OrderState, OrderSubmitted> next)
    {
        context.Saga.CardToken = await tokens.Take(context.Saga.CorrelationId, context.CancellationToken);
        await next.Execute(context);
    }

    public Task Faulted<TException>(BehaviorExceptionContext<OrderState, OrderSubmitted, TException> context,
        IBehavior<OrderState, OrderSubmitted> next) where TException : Exception => next.Faulted(context);

    public void Probe(ProbeContext context) => context.CreateScope("take-card-token");

    public void Accept(StateMachineVisitor visitor) => visitor.Visit(this);
}
