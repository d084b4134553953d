using Microsoft.EntityFrameworkCore;
using Shop.Contracts.Orders;
using Shop.Contracts.Payments;
using Shop.Orders.Api.Domain;
using Shop.Orders.Tests.Infrastructure;
using Shop.Testing;

namespace Shop.Orders.Tests.Api;

/// <summary>
/// An <see cref="OrderSubmitted"/> published by something other than Orders.Api (here the stand-in payments service's
/// bus, on the real broker and database): charged only when it is the order the API stored, with the card token the API kept for it.
/// </summary>
public sealed class When_someone_else_publishes_an_order(OrdersServiceFixture service) : IClassFixture<OrdersServiceFixture>
{
    [Fact]
    public async Task Should_refuse_an_order_whose_total_differs_from_the_row_the_api_stored()
    {
        var order = Order.Submit(Guid.NewGuid(), Guid.NewGuid(), "ann@example.com", DateTime.UtcNow);
        order.AddLine(new Product { Sku = "LAMP-001", Name = "Desk lamp", Price = 59.00m, Currency = "EUR" }, 1);
        await service.InScope(async db =>
        {
            db.Orders.Add(order);
            // As the API keeps it, so that the order passes the token check and reaches the comparison with its row.
            db.OrderCardTokens.Add(new OrderCardToken { OrderId = order.Id, CardToken = "tok_visa", CreatedAt = DateTime.UtcNow });
            return await db.SaveChangesAsync();
        });

        await service.Payments.Bus.Publish(new OrderSubmitted(order.Id, order.CustomerId, order.Email,
            [new OrderLine("LAMP-001", 1, 0.01m)], 0.01m, "EUR", DateTime.UtcNow));

        var cancelled = await service.Payments.Observed.WaitFor<OrderCancelled>(m => m.OrderId == order.Id);
        Assert.Equal("order refused: the total 0.01 EUR differs from the stored 59.00 EUR", cancelled.Single().Reason);
        var stored = await service.InScope(db => db.Orders.AsNoTracking().SingleAsync(o => o.Id == order.Id));
        Assert.Equal((OrderStatus.Cancelled, cancelled.Single().Reason), (stored.Status, stored.CancellationReason));
        await service.WaitUntilQuiet();
        Assert.Empty(service.Payments.Observed.All<ProcessPayment>(p => p.OrderId == order.Id));
        Assert.Equal(0, await service.InScope(db => db.StockReservations.CountAsync(r => r.OrderId == order.Id)));
    }

    [Fact]
    public async Task Should_refuse_an_order_it_did_not_store_priced_below_the_catalog()
    {
        var orderId = Guid.NewGuid();

        await service.Payments.Bus.Publish(new OrderSubmitted(orderId, Guid.NewGuid(), "eve@example.com",
            [new OrderLine("HOOD-001", 10, 0.10m)], 1.00m, "EUR", DateTime.UtcNow));

        var cancelled = await service.Payments.Observed.WaitFor<OrderCancelled>(m => m.OrderId == orderId);
        Assert.StartsWith("order refused: ", cancelled.Single().Reason);
        await service.WaitUntilQuiet();
        Assert.Empty(service.Payments.Observed.All<ProcessPayment>(p => p.OrderId == orderId));
    }

    [Fact]
    public async Task Should_refuse_an_order_it_did_not_store_even_at_the_catalog_price()
    {
        var orderId = Guid.NewGuid();

        // Priced right, but not placed through the API: no card token was kept for it, so nothing can be charged.
        await service.Payments.Bus.Publish(new OrderSubmitted(orderId, Guid.NewGuid(), "bob@example.com",
            [new OrderLine("PEN-001", 2, 4.20m)], 8.40m, "EUR", DateTime.UtcNow));

        var cancelled = await service.Payments.Observed.WaitFor<OrderCancelled>(m => m.OrderId == orderId);
        Assert.Equal("order refused: no card token was kept for it (it was not placed through the API)", cancelled.Single().Reason);
        await service.WaitUntilQuiet();
        Assert.Empty(service.Payments.Observed.All<ProcessPayment>(p => p.OrderId == orderId));
    }
}
