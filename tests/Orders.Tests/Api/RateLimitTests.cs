using System.Net;
using Shop.Orders.Tests.Infrastructure;

namespace Shop.Orders.Tests.Api;

/// <summary>Two orders per customer per hour: the third is refused, long before the window ends.</summary>
public sealed class TightRateLimitFixture : OrdersServiceFixture
{
    protected override IDictionary<string, string?> Settings() => new Dictionary<string, string?>(base.Settings())
    {
        ["RateLimiting:Orders:PermitLimit"] = "2",
        ["RateLimiting:Orders:Window"] = "01:00:00",
    };
}

public sealed class When_a_client_places_orders_too_fast(TightRateLimitFixture service) : IClassFixture<TightRateLimitFixture>
{
    [Fact]
    public async Task Should_answer_429_problem_with_retry_after_and_store_nothing()
    {
        var customerId = Guid.NewGuid();
        var customer = service.ClientFor(customerId);
        Assert.Equal(HttpStatusCode.Accepted, (await customer.PostOrder(OrderRequests.Valid())).StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, (await customer.PostOrder(OrderRequests.Valid())).StatusCode);

        var response = await customer.PostOrder(OrderRequests.Valid());

        var problem = await ProblemAssert.IsProblem(response, (HttpStatusCode)429);
        var retryAfter = Assert.Single(response.Headers.GetValues("Retry-After"));
        Assert.InRange(int.Parse(retryAfter), 1, 3600);
        Assert.Contains(retryAfter, problem.GetProperty("detail").GetString());
        Assert.Equal(2, await service.InScope(db => Task.FromResult(db.Orders.Count(o => o.CustomerId == customerId))));
    }

    [Fact]
    public async Task Should_count_each_client_on_its_own()
    {
        var first = service.ClientFor(Guid.NewGuid());
        for (var i = 0; i < 3; i++)
            await first.PostOrder(OrderRequests.Valid());

        var response = await service.ClientFor(Guid.NewGuid()).PostOrder(OrderRequests.Valid());

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
    }
}
