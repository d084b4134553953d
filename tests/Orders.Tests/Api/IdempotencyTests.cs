using System.Net;
using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using Shop.Contracts.Orders;
using Shop.Orders.Api.Endpoints.Models;
using Shop.Orders.Tests.Infrastructure;
using Shop.Testing;

namespace Shop.Orders.Tests.Api;

public sealed class When_an_order_is_posted_with_an_idempotency_key(OrdersServiceFixture service) : IClassFixture<OrdersServiceFixture>
{
    [Fact]
    public async Task Should_answer_202_with_the_location_of_the_order()
    {
        var response = await service.Client.PostOrder(OrderRequests.Valid(), Guid.NewGuid().ToString());

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var accepted = await response.Content.ReadFromJsonAsync<OrderAccepted>();
        Assert.Equal($"/orders/{accepted!.Id}", response.Headers.Location?.OriginalString);
        Assert.Equal("Submitted", accepted.Status);
    }

    [Fact]
    public async Task Should_return_the_same_order_for_the_same_key_and_body_and_publish_once()
    {
        var customerId = Guid.NewGuid();
        var customer = service.ClientFor(customerId);
        var body = OrderRequests.Valid();
        var key = Guid.NewGuid().ToString();

        var first = await customer.PostOrder(body, key);
        var second = await customer.PostOrder(body, key);

        Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, second.StatusCode);
        Assert.Equal(first.Headers.Location, second.Headers.Location);
        Assert.Equal(1, await OrdersOf(customerId));
        await service.Payments.Observed.WaitFor<OrderSubmitted>(m => m.CustomerId == customerId);
        await service.WaitUntilQuiet();
        Assert.Single(service.Payments.Observed.All<OrderSubmitted>(m => m.CustomerId == customerId));
    }

    [Fact]
    public async Task Should_answer_422_when_the_key_comes_with_a_different_body()
    {
        var customerId = Guid.NewGuid();
        var customer = service.ClientFor(customerId);
        var key = Guid.NewGuid().ToString();
        await customer.PostOrder(OrderRequests.Valid(items: ("MUG-001", 1)), key);

        var response = await customer.PostOrder(OrderRequests.Valid(items: ("MUG-001", 2)), key);

        await ProblemAssert.IsProblem(response, HttpStatusCode.UnprocessableEntity);
        Assert.Equal(1, await OrdersOf(customerId));
    }

    [Fact]
    public async Task Should_create_one_order_for_concurrent_duplicates()
    {
        var customerId = Guid.NewGuid();
        var customer = service.ClientFor(customerId);
        var body = OrderRequests.Valid();
        var key = Guid.NewGuid().ToString();

        var responses = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => customer.PostOrder(body, key)));

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.Accepted, r.StatusCode));
        Assert.Single(responses.Select(r => r.Headers.Location).Distinct());
        Assert.Equal(1, await OrdersOf(customerId));

        // The losers' contexts go back to the pool; later requests reuse every one of them and must not send what the
        // losers' failed saves tracked.
        for (var i = 0; i < responses.Length; i++)
            Assert.Equal(HttpStatusCode.Accepted, (await service.Client.PostOrder(OrderRequests.Valid())).StatusCode);

        await service.Payments.Observed.WaitFor<OrderSubmitted>(m => m.CustomerId == customerId);
        await service.WaitUntilQuiet();
        var stored = await service.InScope(db => db.Orders.Where(o => o.CustomerId == customerId).Select(o => o.Id).SingleAsync());
        var submitted = Assert.Single(service.Payments.Observed.All<OrderSubmitted>(m => m.CustomerId == customerId));
        Assert.Equal(stored, submitted.OrderId);
    }

    [Fact]
    public async Task Should_create_separate_orders_without_a_key()
    {
        var customerId = Guid.NewGuid();
        var customer = service.ClientFor(customerId);
        var body = OrderRequests.Valid();

        var first = await customer.PostOrder(body);
        var second = await customer.PostOrder(body);

        Assert.NotEqual(first.Headers.Location, second.Headers.Location);
        Assert.Equal(2, await OrdersOf(customerId));
    }

    Task<int> OrdersOf(Guid customerId) => service.InScope(db => db.Orders.CountAsync(o => o.CustomerId == customerId));
}
