using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using Shop.Contracts.Payments;
using Shop.Orders.Api.Endpoints.Models;
using Shop.Orders.Tests.Infrastructure;
using Shop.Testing;

namespace Shop.Orders.Tests.Api;

/// <summary>The service with a payment timeout short enough to watch the durable scheduler fire it.</summary>
public sealed class ShortPaymentTimeoutFixture : OrdersServiceFixture
{
    protected override IDictionary<string, string?> Settings()
    {
        var settings = base.Settings();
        settings["Orders:Saga:PaymentTimeout"] = "00:00:02";
        return settings;
    }
}

public sealed class When_the_payment_never_answers(ShortPaymentTimeoutFixture service) : IClassFixture<ShortPaymentTimeoutFixture>
{
    [Fact]
    public async Task Should_time_out_release_the_stock_and_refund_a_late_payment()
    {
        var before = await OnHand("SOCK-001");
        var response = await service.Client.PostOrder(OrderRequests.Valid(cardToken: FakePaymentsService.Silent, items: ("SOCK-001", 4)));
        var id = (await response.Content.ReadFromJsonAsync<OrderAccepted>())!.Id;

        var order = await Eventually.Returns(() => service.Client.GetFromJsonAsync<OrderDetails>($"/orders/{id}")!, o => o!.Status == "Cancelled",
            $"order {id} to time out", TimeSpan.FromSeconds(45));

        Assert.Equal("timed out waiting for the payment", order!.CancellationReason);
        Assert.Equal(["Submitted", "StockReserved", "PaymentPending", "Cancelled"], order.Timeline.Select(t => t.Status));
        Assert.Equal(order.CancellationReason, order.Timeline[^1].Reason);
        await Eventually.Returns(() => OnHand("SOCK-001"), n => n == before, "the stock to be released");

        await service.Payments.Bus.Publish(new PaymentCompleted(id, "pay_late", order.Total, order.Currency));

        var refund = await service.Payments.Observed.WaitFor<RefundPayment>(r => r.OrderId == id);
        Assert.Equal("order cancelled: timed out waiting for the payment", refund.Single().Reason);
        var after = await service.Client.GetFromJsonAsync<OrderDetails>($"/orders/{id}");
        Assert.Equal("Cancelled", after!.Status);
    }

    Task<int> OnHand(string sku) => service.InScope(db => db.Stock.Where(s => s.Sku == sku).Select(s => s.OnHand).SingleAsync());
}
