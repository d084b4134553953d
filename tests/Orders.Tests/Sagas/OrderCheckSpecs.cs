using Shop.Contracts.Orders;
using Shop.Contracts.Payments;
using Shop.Contracts.Stock;
using Shop.Orders.Api.Domain;
using Shop.Orders.Api.StateMachines;

namespace Shop.Orders.Tests.Sagas;

[Trait("Category", "NoTransport")]
public sealed class When_an_order_is_not_priced_from_the_catalog
{
    [Fact]
    public async Task Should_cancel_it_without_reserving_or_charging()
    {
        await using var spec = await SagaSpec.Start();
        var order = SagaSpec.NewOrder() with { Total = 0.01m };

        var saga = await spec.PublishAndExpect(order, order.OrderId, m => m.Cancelled);

        Assert.Equal("order refused: the total 0.01 EUR is not the catalog's 39.70 EUR", saga.CancellationReason);
        var cancelled = await spec.Harness.PublishedMessage<OrderCancelled>(m => m.OrderId == order.OrderId);
        Assert.Equal(saga.CancellationReason, cancelled.Reason);
        await spec.StatusLog.Expect(order.OrderId, OrderStatus.Cancelled);
        Assert.False(await spec.Harness.Sent.Any<ReserveStock>(m => m.Context.Message.OrderId == order.OrderId));
        Assert.False(await spec.Harness.Sent.Any<ProcessPayment>(m => m.Context.Message.OrderId == order.OrderId));
    }

    [Fact]
    public async Task Should_refuse_a_line_priced_below_the_catalog_even_when_the_total_adds_up()
    {
        await using var spec = await SagaSpec.Start();
        var order = SagaSpec.NewOrder() with { Items = [new OrderLine("LAMP-001", 1, 0.50m)], Total = 0.50m };

        var saga = await spec.PublishAndExpect(order, order.OrderId, m => m.Cancelled);

        Assert.Equal("order refused: LAMP-001 is priced 0.50 EUR, the catalog says 59.00 EUR", saga.CancellationReason);
    }

    [Fact]
    public async Task Should_refuse_a_product_the_catalog_does_not_sell()
    {
        await using var spec = await SagaSpec.Start();
        var order = SagaSpec.NewOrder() with { Items = [new OrderLine("GOLD-BAR", 1, 1m)], Total = 1m };

        var saga = await spec.PublishAndExpect(order, order.OrderId, m => m.Cancelled);

        Assert.Equal("order refused: GOLD-BAR is not in the catalog", saga.CancellationReason);
    }
}

public sealed class When_a_published_order_is_compared_with_the_stored_one
{
    static readonly Guid Customer = Guid.NewGuid();

    static Order Stored()
    {
        var order = Order.Submit(Guid.NewGuid(), Customer, "ann@example.com", DateTime.UtcNow);
        order.AddLine(new Product { Sku = "MUG-001", Name = "Ceramic mug", Price = 9.90m, Currency = "EUR" }, 2);
        order.AddLine(new Product { Sku = "TEE-001", Name = "Cotton T-shirt", Price = 19.90m, Currency = "EUR" }, 1);
        return order;
    }

    static OrderSubmitted Published(Order stored) => new(stored.Id, stored.CustomerId, stored.Email,
        [new OrderLine("TEE-001", 1, 19.90m, "Cotton T-shirt"), new OrderLine("MUG-001", 2, 9.90m)], stored.Total, stored.Currency, DateTime.UtcNow);

    [Fact]
    public void Should_accept_the_same_lines_in_any_order()
    {
        var stored = Stored();

        Assert.Null(OrderCheckRules.AgainstStored(Published(stored), stored));
    }

    [Fact]
    public void Should_refuse_another_total()
    {
        var stored = Stored();

        Assert.Equal("the total 1.00 EUR differs from the stored 39.70 EUR",
            OrderCheckRules.AgainstStored(Published(stored) with { Total = 1.00m }, stored));
    }

    [Fact]
    public void Should_refuse_other_lines_with_the_same_total()
    {
        var stored = Stored();

        Assert.Equal("the lines differ from the order stored", OrderCheckRules.AgainstStored(
            Published(stored) with { Items = [new OrderLine("LAMP-001", 1, 39.70m)] }, stored));
    }

    [Fact]
    public void Should_refuse_another_customer()
    {
        var stored = Stored();

        Assert.Equal("the customer differs from the order stored",
            OrderCheckRules.AgainstStored(Published(stored) with { CustomerId = Guid.NewGuid() }, stored));
    }
}
