using MassTransit;
using Shop.Messaging.Sagas;
using Shop.Orders.Api.Domain;

namespace Shop.Orders.Api.StateMachines;

/// <summary>
/// Records the saga's state on the order and its timeline through <see cref="IOrderStatusLog"/>, which the consume scope
/// provides, so the record joins the saga's transaction. An order that has ended forgets its card token.
/// </summary>
public class RecordStatusActivity(IOrderStatusLog log, TimeProvider time) : SagaStep<OrderState>("record-status")
{
    /// <summary>The status recorded: the saga's current state.</summary>
    protected virtual string StatusOf(OrderState saga) => saga.CurrentState;

    protected override async Task Run(BehaviorContext<OrderState> context)
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
