using Shop.Contracts.Orders;
using Shop.Contracts.Payments;
using Shop.Contracts.Stock;
using Shop.Orders.Api.Domain;

namespace Shop.Orders.Tests.Sagas;

[Trait("Category", "NoTransport")]
public sealed class When_an_order_is_submitted
{
    [Fact]
    public async Task Should_reserve_every_line_of_it()
    {
        await using var spec = await SagaSpec.Start();
        var order = SagaSpec.NewOrder();

        var saga = await spec.Submitted(order);

        var reserve = await spec.Harness.SentMessage<ReserveStock>(m => m.OrderId == order.OrderId);
        Assert.Equal([new StockLine("MUG-001", 2), new StockLine("TEE-001", 1)], reserve.Items);
        Assert.Equal(39.70m, saga.Total);
        Assert.NotNull(saga.StockTimeoutTokenId);
    }

    [Fact]
    public async Task Should_start_only_one_process_when_submitted_twice()
    {
        await using var spec = await SagaSpec.Start();
        var order = SagaSpec.NewOrder();

        await spec.Submitted(order);
        await spec.Harness.Bus.Publish(order);

        await spec.Harness.WaitUntilConsumed<OrderSubmitted>(m => m.OrderId == order.OrderId, 2);
        Assert.Equal(1, spec.Harness.SentCount<ReserveStock>(m => m.OrderId == order.OrderId));
    }
}

[Trait("Category", "NoTransport")]
public sealed class When_the_stock_is_reserved
{
    [Fact]
    public async Task Should_ask_for_the_payment_of_the_order_total()
    {
        await using var spec = await SagaSpec.Start();
        var order = SagaSpec.NewOrder("tok_visa_4242");

        var saga = await spec.PaymentPending(order);

        var payment = await spec.Harness.SentMessage<ProcessPayment>(m => m.OrderId == order.OrderId);
        Assert.Equal(new ProcessPayment(order.OrderId, 39.70m, "EUR", "tok_visa_4242"), payment);
        Assert.Null(saga.StockTimeoutTokenId);
        Assert.NotNull(saga.PaymentTimeoutTokenId);
    }

    [Fact]
    public async Task Should_refuse_an_order_the_api_kept_no_card_token_for_before_reserving_anything()
    {
        // An OrderSubmitted from anyone but the API: nothing to charge it with, so nothing is reserved either.
        await using var spec = await SagaSpec.Start();
        var order = SagaSpec.NewOrder(cardToken: null);

        var saga = await spec.PublishAndExpect(order, order.OrderId, m => m.Cancelled);

        Assert.Equal("order refused: no card token was kept for it (it was not placed through the API)", saga.CancellationReason);
        Assert.Null(saga.CardToken);
        Assert.False(await spec.Harness.Sent.Any<ReserveStock>(m => m.Context.Message.OrderId == order.OrderId));
        Assert.False(await spec.Harness.Sent.Any<ProcessPayment>(m => m.Context.Message.OrderId == order.OrderId));
    }

    [Fact]
    public async Task Should_show_the_reservation_and_the_pending_payment_on_the_timeline()
    {
        await using var spec = await SagaSpec.Start();
        var order = SagaSpec.NewOrder();

        await spec.PaymentPending(order);

        await spec.StatusLog.Expect(order.OrderId, OrderStatus.StockReserved, OrderStatus.PaymentPending);
    }
}

[Trait("Category", "NoTransport")]
public sealed class When_the_payment_completes
{
    [Fact]
    public async Task Should_confirm_the_order()
    {
        await using var spec = await SagaSpec.Start();
        var order = SagaSpec.NewOrder();
        await spec.PaymentPending(order);

        var saga = await spec.PublishAndExpect(new PaymentCompleted(order.OrderId, "pay_1", 39.70m, "EUR"), order.OrderId, m => m.Confirmed);

        var confirmed = await spec.Harness.PublishedMessage<OrderConfirmed>(m => m.OrderId == order.OrderId);
        Assert.Equal((order.CustomerId, order.Email, 39.70m, "EUR"), (confirmed.CustomerId, confirmed.Email, confirmed.Total, confirmed.Currency));
        Assert.Equal("pay_1", saga.PaymentId);
        Assert.Null(saga.PaymentTimeoutTokenId);
        await spec.StatusLog.Expect(order.OrderId, OrderStatus.StockReserved, OrderStatus.PaymentPending, OrderStatus.Confirmed);
        Assert.Null(saga.CardToken);
    }

    [Fact]
    public async Task Should_neither_release_nor_refund_anything()
    {
        await using var spec = await SagaSpec.Start();
        var order = SagaSpec.NewOrder();
        await spec.PaymentPending(order);
        await spec.PublishAndExpect(new PaymentCompleted(order.OrderId, "pay_1", 39.70m, "EUR"), order.OrderId, m => m.Confirmed);

        Assert.False(await spec.Harness.Sent.Any<ReleaseStock>(x => x.Context.Message.OrderId == order.OrderId));
        Assert.False(await spec.Harness.Sent.Any<RefundPayment>(x => x.Context.Message.OrderId == order.OrderId));
        Assert.False(await spec.Harness.Published.Any<OrderCancelled>(x => x.Context.Message.OrderId == order.OrderId));
    }
}

[Trait("Category", "NoTransport")]
public sealed class When_a_reply_arrives_for_an_unknown_order
{
    [Fact]
    public async Task Should_discard_it_without_a_fault()
    {
        await using var spec = await SagaSpec.Start();
        var unknown = Guid.NewGuid();

        await spec.Harness.Bus.Publish(new PaymentCompleted(unknown, "pay_x", 1m, "EUR"));

        Assert.True(await spec.Harness.Consumed.Any<PaymentCompleted>(x => x.Context.Message.OrderId == unknown));
        Assert.False(await spec.Harness.Published.Any<MassTransit.Fault<PaymentCompleted>>());
        Assert.Null(spec.Saga.Sagas.Contains(unknown));
    }
}
