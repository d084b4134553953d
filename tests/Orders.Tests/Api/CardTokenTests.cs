using System.Net;
using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using Shop.Contracts.Orders;
using Shop.Contracts.Payments;
using Shop.Orders.Api.Endpoints.Models;
using Shop.Orders.Tests.Infrastructure;

namespace Shop.Orders.Tests.Api;

public sealed class When_an_order_with_a_card_token_is_placed(OrdersServiceFixture service) : IClassFixture<OrdersServiceFixture>
{
    [Fact]
    public async Task Should_publish_no_card_token_and_send_it_only_to_the_payments_endpoint()
    {
        const string card = "tok_visa_secret_0451";
        var response = await service.Client.PostOrder(OrderRequests.Valid(cardToken: card));
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var id = (await response.Content.ReadFromJsonAsync<OrderAccepted>())!.Id;

        await service.Payments.Observed.WaitFor<OrderSubmitted>(m => m.OrderId == id);
        var payment = (await service.Payments.Observed.WaitFor<ProcessPayment>(m => m.OrderId == id)).Single();
        await service.WaitUntilQuiet();

        // What every subscriber of OrderSubmitted received, as it came off the broker.
        var published = service.Payments.Observed.All<RawMessage>(m => m.MessageType == typeof(OrderSubmitted) && m.Body.Contains(id.ToString()));
        var body = Assert.Single(published).Body;
        Assert.DoesNotContain(card, body);
        Assert.DoesNotContain("cardToken", body, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(card, payment.CardToken);

        // Kept only until the saga took it, and the saga forgets it once the order is settled.
        Assert.False(await service.InScope(db => db.OrderCardTokens.AnyAsync(t => t.OrderId == id)));
        Assert.Null(await service.InScope(db => db.OrderStates.Where(s => s.CorrelationId == id).Select(s => s.CardToken).SingleAsync()));
    }
}
