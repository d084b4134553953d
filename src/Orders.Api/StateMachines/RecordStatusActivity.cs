using MassTransit;
using Shop.Orders.Api.Domain;

namespace Shop.Orders.Api.StateMachines;

/// <summary>
/// Records the saga's state on the order and its timeline through <see cref="IOrderStatusLog"/>, which the consume scope
/// provides, so the record joins the saga's transaction. An order that has ended forgets its card token.
/// </summary>
public class RecordStatusActivity(IOrderStatusLog log, TimeProvider time) : IStateMachineActivity<OrderState>
{
    /// <summary>The status recorded: the saga's current state.</summary>
    protected virtual string StatusOf(OrderState saga) => saga.CurrentState;

    public async Task Execute(BehaviorContext<OrderState> context, IBehavior<OrderState> next)
    {
        await Record(context);
        await next.Execute(context);
    }

    public async Task Execute<T>(BehaviorContext<OrderState, T> context, IBehavior<OrderState, T> next) where T : class
    {
        await Record(context);
        await next.Execute(context);
    }

    public Task Faulted<TException>(BehaviorExceptionContext<OrderState, TException> context, IBehavior<OrderState> next)
        where TException : Exception => next.Faulted(context);

    public Task Faulted<T, TException>(BehaviorExceptionContext<OrderState, T, TException> context, IBehavior<OrderState, T> next)
        where T : class where TException : Exception => next.Faulted(context);

    public void Probe(ProbeContext context) => context.CreateScope("record-status");

    public void Accept(StateMachineVisitor visitor) => visitor.Visit(this);

    async Task Record(BehaviorContext<OrderState> context)
    {
        var saga = context.Saga;
        var now = time.GetUtcNow().UtcDateTime;
        var status = StatusOf(saga);
        saga.UpdatedAt = now;
        if (status is OrderStatus.Confirmed or OrderStatus.Cancelled)
            saga.CardToken = null;

        var reason = status == OrderStatus.Cancelled ? saga.CancellationReason : null;
        await log.Record(saga.CorrelationId, status, reason, now, context.CancellationToken);
    }
}

/// <summary>Records the reservation of the order's stock, a step the saga passes through without a state of its own.</summary>
public sealed class RecordStockReservedActivity(IOrderStatusLog log, TimeProvider time) : RecordStatusActivity(log, time)
{
    protected override string StatusOf(OrderState saga) => OrderStatus.StockReserved;
}
