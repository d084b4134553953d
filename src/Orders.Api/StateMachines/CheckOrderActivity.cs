using MassTransit;
using Shop.Contracts.Orders;

namespace Shop.Orders.Api.StateMachines;

/// <summary>
/// Refuses (sets the cancellation reason of) an order the API kept no card token for, or that <see cref="IOrderCheck"/>
/// does not let through.
/// </summary>
public sealed class CheckOrderActivity(IOrderCheck check, ILogger<CheckOrderActivity> logger) : IStateMachineActivity<OrderState, OrderSubmitted>
{
    public async Task Execute(BehaviorContext<OrderState, OrderSubmitted> context, IBehavior<OrderState, OrderSubmitted> next)
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

        await next.Execute(context);
    }

    public Task Faulted<TException>(BehaviorExceptionContext<OrderState, OrderSubmitted, TException> context,
        IBehavior<OrderState, OrderSubmitted> next) where TException : Exception => next.Faulted(context);

    public void Probe(ProbeContext context) => context.CreateScope("check-order");

    public void Accept(StateMachineVisitor visitor) => visitor.Visit(this);
}
