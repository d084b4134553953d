using MassTransit;
using Shop.Orders.Api.Domain;

namespace Shop.Orders.Api.StateMachines;

static class OrderStatusActivities
{
    /// <summary>
    /// Records <paramref name="status"/> (the saga's current state when omitted) on the order and its timeline,
    /// through the consume scope's services so it joins the saga's transaction.
    /// </summary>
    public static EventActivityBinder<OrderState, T> RecordStatus<T>(this EventActivityBinder<OrderState, T> binder, TimeProvider time,
        string? status = null)
        where T : class =>
        binder.ThenAsync(async context =>
        {
            var now = time.GetUtcNow().UtcDateTime;
            var recorded = status ?? context.Saga.CurrentState;
            context.Saga.UpdatedAt = now;
            if (recorded is OrderStatus.Confirmed or OrderStatus.Cancelled)
                context.Saga.CardToken = null;

            var log = context.GetPayload<IServiceProvider>().GetRequiredService<IOrderStatusLog>();
            var reason = recorded == OrderStatus.Cancelled ? context.Saga.CancellationReason : null;
            await log.Record(context.Saga.CorrelationId, recorded, reason, now, context.CancellationToken);
        });
}
