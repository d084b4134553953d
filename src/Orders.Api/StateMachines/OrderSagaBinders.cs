using MassTransit;
using Shop.Contracts.Stock;

namespace Shop.Orders.Api.StateMachines;

/// <summary>The steps <see cref="OrderStateMachine"/> takes from more than one place, each under one name.</summary>
static class OrderSagaBinders
{
    /// <summary>Records the saga's state on the order and its timeline (<see cref="RecordStatusActivity"/>).</summary>
    public static EventActivityBinder<OrderState, T> RecordStatus<T>(this EventActivityBinder<OrderState, T> binder) where T : class =>
        binder.Activity(x => x.OfInstanceType<RecordStatusActivity>());

    /// <summary>
    /// Cancels the order for <paramref name="reason"/> (when given; else the reason already set): the saga ends in
    /// Cancelled, <see cref="Contracts.Orders.OrderCancelled"/> is published and the order records it.
    /// </summary>
    public static EventActivityBinder<OrderState, T> CancelOrder<T>(this EventActivityBinder<OrderState, T> binder, OrderStateMachine machine,
        Func<BehaviorContext<OrderState, T>, string>? reason = null) where T : class =>
        (reason is null ? binder : binder.Then(context => context.Saga.CancellationReason = reason(context)))
            .TransitionTo(machine.Cancelled)
            .Publish(context => machine.CancellationOf(context.Saga))
            .RecordStatus();

    /// <summary>
    /// Gives back the order's stock, then cancels it as <see cref="CancelOrder{T}"/> does. The reservation may have been
    /// made with its answer still on the way; releasing nothing is harmless.
    /// </summary>
    public static EventActivityBinder<OrderState, T> ReleaseStockAndCancelOrder<T>(this EventActivityBinder<OrderState, T> binder,
        OrderStateMachine machine, Func<BehaviorContext<OrderState, T>, string> reason) where T : class =>
        binder
            .Then(context => context.Saga.CancellationReason = reason(context))
            .Send(machine.ReleaseStockAddress, context => new ReleaseStock(context.Saga.CorrelationId))
            .CancelOrder(machine);
}
