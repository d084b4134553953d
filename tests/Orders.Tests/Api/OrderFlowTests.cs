using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using Shop.Contracts.Orders;
using Shop.Orders.Api.Endpoints.Models;
using Shop.Orders.Tests.Infrastructure;
using Shop.Testing;

namespace Shop.Orders.Tests.Api;

public sealed class When_a_posted_order_runs_through_the_saga(OrdersServiceFixture service) : IClassFixture<OrdersServiceFixture>
{
    [Fact]
    public async Task Should_be_confirmed_when_the_payment_completes()
    {
        var before = await OnHand("HOOD-001");
        var id = await Post(OrderRequests.Valid(items: [("HOOD-001", 2), ("CAP-001", 1)]));

        var order = await StatusReaches(id, "Confirmed");

        Assert.Equal(["Submitted", "StockReserved", "PaymentPending", "Confirmed"], order.Timeline.Select(t => t.Status));
        Assert.True(order.Timeline.Zip(order.Timeline.Skip(1)).All(pair => pair.First.At <= pair.Second.At));
        Assert.Equal(2 * 44.00m + 14.50m, order.Total);
        Assert.Equal("EUR", order.Currency);
        Assert.Equal(["CAP-001", "HOOD-001"], order.Items.Select(i => i.Sku));
        Assert.Equal(before - 2, await OnHand("HOOD-001"));
        await service.Payments.Observed.WaitFor<OrderConfirmed>(m => m.OrderId == id);
    }

    [Fact]
    public async Task Should_be_cancelled_and_give_the_stock_back_when_the_payment_fails()
    {
        var before = await OnHand("BOTL-001");
        var id = await Post(OrderRequests.Valid(cardToken: FakePaymentsService.Declined, items: ("BOTL-001", 3)));

        var order = await StatusReaches(id, "Cancelled");

        Assert.Equal("payment failed: card declined", order.CancellationReason);
        Assert.Equal(["Submitted", "StockReserved", "PaymentPending", "Cancelled"], order.Timeline.Select(t => t.Status));
        await Eventually.Returns(() => OnHand("BOTL-001"), n => n == before, "the stock to be released");
        var cancelled = await service.Payments.Observed.WaitFor<OrderCancelled>(m => m.OrderId == id);
        Assert.Equal(order.CancellationReason, cancelled.Single().Reason);
    }

    [Fact]
    public async Task Should_be_cancelled_when_the_stock_does_not_cover_it()
    {
        var before = await OnHand("POST-001");
        var id = await Post(OrderRequests.Valid(items: [("POST-001", before + 1), ("MUG-001", 1)]));

        var order = await StatusReaches(id, "Cancelled");

        Assert.Equal("stock unavailable: insufficient stock for POST-001", order.CancellationReason);
        Assert.Equal(before, await OnHand("POST-001"));
        await service.WaitUntilQuiet();
        Assert.Empty(service.Payments.Observed.All<Shop.Contracts.Payments.ProcessPayment>(p => p.OrderId == id));
    }

    async Task<Guid> Post(object body)
    {
        var response = await service.Client.PostOrder(body);
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<OrderAccepted>())!.Id;
    }

    async Task<OrderDetails> StatusReaches(Guid id, string status) =>
        await Eventually.Returns(() => service.Client.GetFromJsonAsync<OrderDetails>($"/orders/{id}")!, o => o!.Status == status,
            $"order {id} to be {status}", TimeSpan.FromSeconds(45)) ?? throw new InvalidOperationException();

    Task<int> OnHand(string sku) => service.InScope(db => db.Stock.Where(s => s.Sku == sku).Select(s => s.OnHand).SingleAsync());
}
