using MassTransit;
using Shop.Contracts.Orders;
using Shop.Contracts.Payments;
using Shop.Contracts.Stock;

namespace Shop.Search.Worker.Consumers;

/// <summary>Projects the order, stock and payment events into the order summaries, a batch of each message type at a time.</summary>
public sealed class OrderProjectionConsumer(ProjectionBatchHandler handler) :
    IConsumer<Batch<OrderSubmitted>>,
    IConsumer<Batch<StockReserved>>,
    IConsumer<Batch<StockUnavailable>>,
    IConsumer<Batch<StockReleased>>,
    IConsumer<Batch<PaymentCompleted>>,
    IConsumer<Batch<PaymentFailed>>,
    IConsumer<Batch<PaymentRefunded>>,
    IConsumer<Batch<OrderConfirmed>>,
    IConsumer<Batch<OrderCancelled>>
{
    public Task Consume(ConsumeContext<Batch<OrderSubmitted>> context) => handler.Handle(context);
    public Task Consume(ConsumeContext<Batch<StockReserved>> context) => handler.Handle(context);
    public Task Consume(ConsumeContext<Batch<StockUnavailable>> context) => handler.Handle(context);
    public Task Consume(ConsumeContext<Batch<StockReleased>> context) => handler.Handle(context);
    public Task Consume(ConsumeContext<Batch<PaymentCompleted>> context) => handler.Handle(context);
    public Task Consume(ConsumeContext<Batch<PaymentFailed>> context) => handler.Handle(context);
    public Task Consume(ConsumeContext<Batch<PaymentRefunded>> context) => handler.Handle(context);
    public Task Consume(ConsumeContext<Batch<OrderConfirmed>> context) => handler.Handle(context);
    public Task Consume(ConsumeContext<Batch<OrderCancelled>> context) => handler.Handle(context);
}
