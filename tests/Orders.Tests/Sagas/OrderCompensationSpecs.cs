using MassTransit;
using Shop.Contracts.Orders;
using Shop.Contracts.Payments;
using Shop.Contracts.Stock;
using Shop.Orders.Api.Domain;

namespace Shop.Orders.Tests.Sagas;

[Trait("Category", "NoTransport")]
public sealed class When_the_stock_is_unavailable
{
    [Fact]
    public async Task Should_cancel_the_order_with_the_reason()
    {
        await using var spec = await SagaSpec.Start();
        var order = SagaSpec.NewOrder();
        await spec.Submitted(order);

        var saga = await spec.PublishAndExpect(new StockUnavailable(order.OrderId, "insufficient stock for MUG-001"), order.OrderId, m => m.Cancelled);

        var cancelled = await spec.Harness.PublishedMessage<OrderCancelled>(m => m.OrderId == order.OrderId);
        Assert.Equal("stock unavailable: insufficient stock for MUG-001", cancelled.Reason);
        Assert.Equal(cancelled.Reason, saga.CancellationReason);
        Assert.Null(saga.StockTimeoutTokenId);
        await spec.StatusLog.Expect(order.OrderId, OrderStatus.Cancelled);
        Assert.Equal(cancelled.Reason, spec.StatusLog.LastReasonOf(order.OrderId));
    }

    [Fact]
    public async Task Should_not_ask_for_a_payment_or_release_anything()
    {
        await using var spec = await SagaSpec.Start();
        var order = SagaSpec.NewOrder();
        await spec.Submitted(order);
        await spec.PublishAndExpect(new StockUnavailable(order.OrderId, "unknown sku X"), order.OrderId, m => m.Cancelled);

        Assert.False(await spec.Harness.Sent.Any<ProcessPayment>(x => x.Context.Message.OrderId == order.OrderId));
        Assert.False(await spec.Harness.Sent.Any<ReleaseStock>(x => x.Context.Message.OrderId == order.OrderId));
    }
}

[Trait("Category", "NoTransport")]
public sealed class When_the_payment_fails
{
    [Fact]
    public async Task Should_release_the_stock_and_cancel_the_order()
    {
        await using var spec = await SagaSpec.Start();
        var order = SagaSpec.NewOrder();
        await spec.PaymentPending(order);

        var saga = await spec.PublishAndExpect(new PaymentFailed(order.OrderId, "card declined"), order.OrderId, m => m.Cancelled);

        await spec.Harness.SentMessage<ReleaseStock>(m => m.OrderId == order.OrderId);
        var cancelled = await spec.Harness.PublishedMessage<OrderCancelled>(m => m.OrderId == order.OrderId);
        Assert.Equal("payment failed: card declined", cancelled.Reason);
        Assert.Null(saga.PaymentTimeoutTokenId);
        await spec.StatusLog.Expect(order.OrderId, OrderStatus.StockReserved, OrderStatus.PaymentPending, OrderStatus.Cancelled);
        Assert.Null(saga.CardToken);
    }
}

[Trait("Category", "NoTransport")]
public sealed class When_processing_the_payment_faults
{
    [Fact]
    public async Task Should_treat_it_as_a_failed_payment()
    {
        await using var spec = await SagaSpec.Start(configure: x =>
            x.AddConsumer<BrokenPaymentConsumer>().Endpoint(e => e.Name = "process-payment"));
        var order = SagaSpec.NewOrder();
        await spec.Submitted(order);

        await spec.Harness.Bus.Publish(new StockReserved(order.OrderId));

        var saga = await spec.InState(order.OrderId, m => m.Cancelled);
        Assert.True(await spec.Harness.Published.Any<Fault<ProcessPayment>>(x => x.Context.Message.Message.OrderId == order.OrderId));
        await spec.Harness.SentMessage<ReleaseStock>(m => m.OrderId == order.OrderId);
        var cancelled = await spec.Harness.PublishedMessage<OrderCancelled>(m => m.OrderId == order.OrderId);
        Assert.Equal("payment could not be processed: the gateway is on fire", cancelled.Reason);
        Assert.Equal(cancelled.Reason, saga.CancellationReason);
    }

    sealed class BrokenPaymentConsumer : IConsumer<ProcessPayment>
    {
        public Task Consume(ConsumeContext<ProcessPayment> context) => throw new InvalidOperationException("the gateway is on fire");
    }
}
