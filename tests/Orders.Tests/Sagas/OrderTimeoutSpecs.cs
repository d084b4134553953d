using MassTransit.Testing;
using Shop.Contracts.Orders;
using Shop.Contracts.Payments;
using Shop.Contracts.Stock;
using Shop.Orders.Api.Domain;
using Shop.Orders.Api.StateMachines;

namespace Shop.Orders.Tests.Sagas;

[Trait("Category", "NoTransport")]
public sealed class When_the_stock_reservation_times_out
{
    [Fact]
    public async Task Should_release_whatever_was_reserved_and_cancel()
    {
        await using var spec = await SagaSpec.Start(stockTimeout: TimeSpan.FromMilliseconds(500));
        var order = SagaSpec.NewOrder();
        await spec.Submitted(order);

        var saga = await spec.InState(order.OrderId, m => m.Cancelled);

        await spec.Harness.SentMessage<ReleaseStock>(m => m.OrderId == order.OrderId);
        var cancelled = await spec.Harness.PublishedMessage<OrderCancelled>(m => m.OrderId == order.OrderId);
        Assert.Equal("timed out waiting for the stock reservation", cancelled.Reason);
        Assert.Equal(cancelled.Reason, saga.CancellationReason);
        Assert.False(await spec.Harness.Sent.Any<ProcessPayment>(x => x.Context.Message.OrderId == order.OrderId));
    }

    [Fact]
    public async Task Should_release_a_reservation_that_arrives_afterwards()
    {
        await using var spec = await SagaSpec.Start(stockTimeout: TimeSpan.FromMilliseconds(500));
        var order = SagaSpec.NewOrder();
        await spec.Submitted(order);
        await spec.InState(order.OrderId, m => m.Cancelled);
        await spec.Harness.SentMessage<ReleaseStock>(m => m.OrderId == order.OrderId);

        await spec.Harness.Bus.Publish(new StockReserved(order.OrderId));

        await spec.Harness.WaitUntilConsumed<StockReserved>(m => m.OrderId == order.OrderId, 1);
        await Shop.Testing.Eventually.Returns(() => Task.FromResult(spec.Harness.SentCount<ReleaseStock>(m => m.OrderId == order.OrderId)),
            n => n == 2, "a second ReleaseStock for the late reservation", TimeSpan.FromSeconds(10));
        Assert.False(await spec.Harness.Sent.Any<ProcessPayment>(x => x.Context.Message.OrderId == order.OrderId));
        Assert.NotNull(spec.Saga.Sagas.ContainsInState(order.OrderId, spec.Machine, spec.Machine.Cancelled));
    }
}

[Trait("Category", "NoTransport")]
public sealed class When_the_stock_is_reserved_in_time
{
    [Fact]
    public async Task Should_not_time_out_on_the_stock_any_more()
    {
        await using var spec = await SagaSpec.Start(stockTimeout: TimeSpan.FromMilliseconds(300));
        var order = SagaSpec.NewOrder();
        var saga = await spec.PaymentPending(order);
        Assert.Null(saga.StockTimeoutTokenId);

        // A timer that fires anyway (a scheduler that could not cancel it in time) changes nothing.
        await spec.Harness.Bus.Publish(new StockReservationTimedOut(order.OrderId));
        await spec.Harness.WaitUntilConsumed<StockReservationTimedOut>(m => m.OrderId == order.OrderId, 1);
        await spec.Harness.InactivityTask;

        Assert.NotNull(spec.Saga.Sagas.ContainsInState(order.OrderId, spec.Machine, spec.Machine.PaymentPending));
        Assert.Equal(0, spec.Harness.PublishedCount<OrderCancelled>(m => m.OrderId == order.OrderId));
    }
}

[Trait("Category", "NoTransport")]
public sealed class When_the_payment_times_out
{
    [Fact]
    public async Task Should_release_the_stock_and_cancel()
    {
        await using var spec = await SagaSpec.Start(paymentTimeout: TimeSpan.FromMilliseconds(500));
        var order = SagaSpec.NewOrder();
        await spec.PaymentPending(order);

        var saga = await spec.InState(order.OrderId, m => m.Cancelled);

        await spec.Harness.SentMessage<ReleaseStock>(m => m.OrderId == order.OrderId);
        var cancelled = await spec.Harness.PublishedMessage<OrderCancelled>(m => m.OrderId == order.OrderId);
        Assert.Equal("timed out waiting for the payment", cancelled.Reason);
        Assert.Equal(cancelled.Reason, saga.CancellationReason);
        await spec.StatusLog.Expect(order.OrderId, OrderStatus.StockReserved, OrderStatus.PaymentPending, OrderStatus.Cancelled);
    }
}

[Trait("Category", "NoTransport")]
public sealed class When_the_payment_completes_after_the_order_was_cancelled
{
    [Fact]
    public async Task Should_refund_it_and_keep_the_order_cancelled()
    {
        await using var spec = await SagaSpec.Start(paymentTimeout: TimeSpan.FromMilliseconds(500));
        var order = SagaSpec.NewOrder();
        await spec.PaymentPending(order);
        await spec.InState(order.OrderId, m => m.Cancelled);

        await spec.Harness.Bus.Publish(new PaymentCompleted(order.OrderId, "pay_late", 39.70m, "EUR"));

        var refund = await spec.Harness.SentMessage<RefundPayment>(m => m.OrderId == order.OrderId);
        Assert.Equal("order cancelled: timed out waiting for the payment", refund.Reason);
        var saga = await spec.InState(order.OrderId, m => m.Cancelled);
        Assert.True(saga.RefundRequested);
        Assert.Equal(0, spec.Harness.PublishedCount<OrderConfirmed>(m => m.OrderId == order.OrderId));
    }

    [Fact]
    public async Task Should_refund_only_once_when_the_completion_is_repeated()
    {
        await using var spec = await SagaSpec.Start(paymentTimeout: TimeSpan.FromMilliseconds(500));
        var order = SagaSpec.NewOrder();
        await spec.PaymentPending(order);
        await spec.InState(order.OrderId, m => m.Cancelled);

        await spec.Harness.Bus.Publish(new PaymentCompleted(order.OrderId, "pay_late", 39.70m, "EUR"));
        await spec.Harness.Bus.Publish(new PaymentCompleted(order.OrderId, "pay_late", 39.70m, "EUR"));

        await spec.Harness.WaitUntilConsumed<PaymentCompleted>(m => m.OrderId == order.OrderId, 2);
        await spec.Harness.InactivityTask;
        Assert.Equal(1, spec.Harness.SentCount<RefundPayment>(m => m.OrderId == order.OrderId));
    }
}
