using System.Net;
using System.Net.Http.Json;
using System.Text;
using Shop.Orders.Tests.Infrastructure;

namespace Shop.Orders.Tests.Api;

public sealed class When_an_invalid_order_is_posted(OrdersServiceFixture service) : IClassFixture<OrdersServiceFixture>
{
    public static TheoryData<string, object> InvalidOrders() => new()
    {
        { "items[0].sku", Order(items: [new { sku = "NOPE-404", quantity = 1 }]) },
        { "items[0].sku", Order(items: [new { sku = "", quantity = 1 }]) },
        { "items[0].quantity", Order(items: [new { sku = "MUG-001", quantity = 0 }]) },
        { "items[0].quantity", Order(items: [new { sku = "MUG-001", quantity = -3 }]) },
        { "items[0].quantity", Order(items: [new { sku = "MUG-001", quantity = 101 }]) },
        { "items[1].sku", Order(items: [new { sku = "MUG-001", quantity = 1 }, new { sku = "mug-001", quantity = 2 }]) },
        { "email", Order(email: "not-an-email") },
        { "email", Order(email: "Ann <ann@example.com>") },
        { "email", Order(email: null) },
        { "items", Order(items: []) },
        { "items", Order(items: Enumerable.Range(0, 51).Select(i => (object)new { sku = $"SKU-{i}", quantity = 1 }).ToArray()) },
        { "payment.cardToken", Order(cardToken: null) },
        { "payment.cardToken", Order(cardToken: " ") },
        { "customerId", Order(customerId: Guid.Empty) },
    };

    [Theory]
    [MemberData(nameof(InvalidOrders))]
    public async Task Should_answer_400_naming_the_field(string field, object body)
    {
        var response = await service.Client.PostOrder(body);

        var problem = await ProblemAssert.IsValidationProblemNaming(response, field);
        Assert.Equal("The order is not valid.", problem.GetProperty("title").GetString());
    }

    [Fact]
    public async Task Should_name_a_field_of_the_wrong_type()
    {
        var response = await service.Client.PostAsync("/orders", new StringContent(
            """{"customerId":"8d2f3c1e-0000-4000-8000-000000000001","email":"ann@example.com","items":[{"sku":"MUG-001","quantity":"many"}],"payment":{"cardToken":"tok"}}""",
            Encoding.UTF8, "application/json"));

        await ProblemAssert.IsValidationProblemNaming(response, "items[0].quantity");
    }

    [Fact]
    public async Task Should_reject_malformed_json()
    {
        var response = await service.Client.PostAsync("/orders", new StringContent("{\"customerId\": ", Encoding.UTF8, "application/json"));

        await ProblemAssert.IsProblem(response, HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Should_answer_413_to_a_body_over_64_KB()
    {
        var response = await service.Client.PostAsJsonAsync("/orders", Order(email: new string('a', 70_000) + "@example.com"));

        await ProblemAssert.IsProblem(response, HttpStatusCode.RequestEntityTooLarge);
    }

    [Fact]
    public async Task Should_answer_413_to_a_chunked_body_over_64_KB()
    {
        var content = new StreamContent(new MemoryStream(Encoding.UTF8.GetBytes("{\"email\":\"" + new string('a', 70_000) + "\"}")));
        content.Headers.ContentType = new("application/json");
        var request = new HttpRequestMessage(HttpMethod.Post, "/orders") { Content = content };
        request.Headers.TransferEncodingChunked = true;

        var response = await service.Client.SendAsync(request);

        await ProblemAssert.IsProblem(response, HttpStatusCode.RequestEntityTooLarge);
    }

    [Fact]
    public async Task Should_store_nothing()
    {
        var customerId = Guid.NewGuid();
        await service.Client.PostOrder(Order(customerId: customerId, items: [new { sku = "MUG-001", quantity = 0 }]));

        Assert.Equal(0, await service.InScope(db => Task.FromResult(db.Orders.Count(o => o.CustomerId == customerId))));
    }

    static object Order(Guid? customerId = null, string? email = "ann@example.com", object[]? items = null, string? cardToken = "tok_visa") => new
    {
        customerId = customerId ?? Guid.NewGuid(),
        email,
        items = items ?? [new { sku = "MUG-001", quantity = 1 }],
        payment = new { cardToken }
    };
}
