using MassTransit;
using Microsoft.Extensions.Options;
using Shop.Contracts.Orders;
using Shop.Contracts.Payments;
using Shop.Contracts.Stock;
using Shop.Orders.Api.Domain;

namespace Shop.Orders.Api.StateMachines;

/// <summary>
/// The order process: reserve stock, take the payment, confirm. Every failure or timeout gives back what was
/// done so far and cancels; a payment that completes after the cancellation is refunded. An order that is neither the
/// one Orders.Api stored nor priced from the catalog is cancelled before anything is reserved or charged.
/// </summary>
public sealed class OrderStateMachine : MassTransitStateMachine<OrderState>
{
    readonly TimeProvider _time;

    public OrderStateMachine(IOptions<OrderSagaOptions> options, TimeProvider time)
    {
        var settings = options.Value;
        _time = time;
        ReleaseStockAddress = settings.ReleaseStockAddress;
        InstanceState(x => x.CurrentState);

        Event(() => OrderSubmitted, e => e.CorrelateById(m => m.Message.OrderId));
        Event(() => StockReserved, e => ByOrderId(e, m => m.OrderId));
        Event(() => StockUnavailable, e => ByOrderId(e, m => m.OrderId));
        Event(() => PaymentCompleted, e => ByOrderId(e, m => m.OrderId));
        Event(() => PaymentFailed, e => ByOrderId(e, m => m.OrderId));
        Event(() => PaymentFaulted, e => ByOrderId(e, m => m.Message.OrderId));

        Schedule(() => StockTimeout, x => x.StockTimeoutTokenId, s =>
        {
            s.Delay = settings.StockTimeout;
            s.Received = e => ByOrderId(e, m => m.OrderId);
        });
        Schedule(() => PaymentTimeout, x => x.PaymentTimeoutTokenId, s =>
        {
            s.Delay = settings.PaymentTimeout;
            s.Received = e => ByOrderId(e, m => m.OrderId);
        });

        Initially(
            When(OrderSubmitted)
                .Then(context => Accept(context.Saga, context.Message))
                .Activity(x => x.OfType<TakeCardTokenActivity>())
                .Activity(x => x.OfType<CheckOrderActivity>())
                .IfElse(context => context.Saga.CancellationReason is null,
                    accepted => accepted
                        .TransitionTo(Submitted)
                        .Send(settings.ReserveStockAddress, context => new ReserveStock(context.Saga.CorrelationId,
                            context.Message.Items.Select(line => new StockLine(line.Sku, line.Quantity)).ToList()))
                        .Schedule(StockTimeout, context => new StockReservationTimedOut(context.Saga.CorrelationId)),
                    // Nothing reserved, nothing charged: the order ends here, and its card token with it.
                    refused => refused
                        .Then(context => context.Saga.CardToken = null)
                        .CancelOrder(this)));

        During(Submitted,
            When(StockReserved)
                .Unschedule(StockTimeout)
                .Activity(x => x.OfInstanceType<RecordStockReservedActivity>())
                .TransitionTo(PaymentPending)
                .Send(settings.ProcessPaymentAddress, context => new ProcessPayment(context.Saga.CorrelationId, context.Saga.Total,
                    context.Saga.Currency, context.Saga.CardToken ?? ""))
                .Schedule(PaymentTimeout, context => new PaymentTimedOut(context.Saga.CorrelationId))
                .RecordStatus(),
            When(StockUnavailable)
                .Unschedule(StockTimeout)
                .CancelOrder(this, context => $"stock unavailable: {context.Message.Reason}"),
            When(StockTimeout.Received)
                .ReleaseStockAndCancelOrder(this, _ => "timed out waiting for the stock reservation"),
            Ignore(PaymentTimeout.Received));

        During(PaymentPending,
            When(PaymentCompleted)
                .Unschedule(PaymentTimeout)
                .Then(context => context.Saga.PaymentId = context.Message.PaymentId)
                .TransitionTo(Confirmed)
                .Publish(context => new OrderConfirmed(context.Saga.CorrelationId, context.Saga.CustomerId, context.Saga.Email,
                    context.Saga.Total, context.Saga.Currency, time.GetUtcNow().UtcDateTime))
                .RecordStatus(),
            When(PaymentFailed)
                .Unschedule(PaymentTimeout)
                .ReleaseStockAndCancelOrder(this, context => $"payment failed: {context.Message.Reason}"),
            When(PaymentFaulted)
                .Unschedule(PaymentTimeout)
                .ReleaseStockAndCancelOrder(this, context =>
                    $"payment could not be processed: {context.Message.Exceptions.FirstOrDefault()?.Message ?? "fault"}"),
            When(PaymentTimeout.Received)
                .ReleaseStockAndCancelOrder(this, _ => "timed out waiting for the payment"),
            Ignore(StockReserved),
            Ignore(StockTimeout.Received));

        During(Confirmed,
            Ignore(StockReserved),
            Ignore(PaymentCompleted),
            Ignore(PaymentFailed),
            Ignore(PaymentFaulted),
            Ignore(StockTimeout.Received),
            Ignore(PaymentTimeout.Received));

        During(Cancelled,
            // The order stays cancelled; money taken after the cancellation goes back once.
            When(PaymentCompleted)
                .If(context => !context.Saga.RefundRequested, refund => refund
                    .Then(context =>
                    {
                        context.Saga.RefundRequested = true;
                        context.Saga.PaymentId = context.Message.PaymentId;
                    })
                    .Send(settings.RefundPaymentAddress, context => new RefundPayment(context.Saga.CorrelationId,
                        $"order cancelled: {context.Saga.CancellationReason}"))),
            // A reservation that lands after the cancellation is given back too.
            When(StockReserved)
                .Send(ReleaseStockAddress, context => new ReleaseStock(context.Saga.CorrelationId)),
            Ignore(StockUnavailable),
            Ignore(PaymentFailed),
            Ignore(PaymentFaulted),
            Ignore(StockTimeout.Received),
            Ignore(PaymentTimeout.Received));

        DuringAny(Ignore(OrderSubmitted));
    }

    public State Submitted { get; private set; } = null!;
    public State PaymentPending { get; private set; } = null!;
    public State Confirmed { get; private set; } = null!;
    public State Cancelled { get; private set; } = null!;

    public Event<OrderSubmitted> OrderSubmitted { get; private set; } = null!;
    public Event<StockReserved> StockReserved { get; private set; } = null!;
    public Event<StockUnavailable> StockUnavailable { get; private set; } = null!;
    public Event<PaymentCompleted> PaymentCompleted { get; private set; } = null!;
    public Event<PaymentFailed> PaymentFailed { get; private set; } = null!;
    public Event<Fault<ProcessPayment>> PaymentFaulted { get; private set; } = null!;

    public Schedule<OrderState, StockReservationTimedOut> StockTimeout { get; private set; } = null!;
    public Schedule<OrderState, PaymentTimedOut> PaymentTimeout { get; private set; } = null!;

    // Replies for an order this service never saw (or already forgot) are dropped rather than faulted.
    static void ByOrderId<T>(IEventCorrelationConfigurator<OrderState, T> e, Func<T, Guid> orderId) where T : class
    {
        e.CorrelateById(context => orderId(context.Message));
        e.OnMissingInstance(m => m.Discard());
    }

    static void Accept(OrderState saga, OrderSubmitted order)
    {
        saga.CustomerId = order.CustomerId;
        saga.Email = order.Email;
        saga.Total = order.Total;
        saga.Currency = order.Currency;
        saga.SubmittedAt = order.SubmittedAt;
    }

    /// <summary>Where the stock of a cancelled order is given back.</summary>
    internal Uri ReleaseStockAddress { get; }

    internal OrderCancelled CancellationOf(OrderState saga) =>
        new(saga.CorrelationId, saga.CustomerId, saga.Email, saga.CancellationReason ?? "cancelled", _time.GetUtcNow().UtcDateTime);
}
