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
        { "items", Order(items: []) },
        { "items", Order(items: Enumerable.Range(0, 51).Select(i => (object)new { sku = $"SKU-{i}", quantity = 1 }).ToArray()) },
        { "payment.cardToken", Order(cardToken: null) },
        { "payment.cardToken", Order(cardToken: " ") },
        // The customer and the email are the token's; a body naming them is refused, not obeyed.
        { "customerId", Order(customerId: Guid.NewGuid()) },
        { "email", Order(email: "someone.else@example.com") },
    };

    [Theory]
    [MemberData(nameof(InvalidOrders))]
    public async Task Should_answer_400_naming_the_field(string field, object body)
    {
        var response = await service.Client.PostOrder(body);

        var problem = await ProblemAssert.IsValidationProblemNaming(response, field);
        Assert.Equal("The order is not valid.", problem.GetProperty("title").GetString());
    }

    [Theory]
    [InlineData("not-an-email")]
    [InlineData("Ann <ann@example.com>")]
    public async Task Should_answer_400_when_the_email_in_the_token_is_not_valid(string email)
    {
        var response = await service.ClientFor(Guid.NewGuid(), email).PostOrder(Order());

        await ProblemAssert.IsValidationProblemNaming(response, "email");
    }

    [Fact]
    public async Task Should_name_a_field_of_the_wrong_type()
    {
        var response = await service.Client.PostAsync("/orders", new StringContent(
            """{"items":[{"sku":"MUG-001","quantity":"many"}],"payment":{"cardToken":"tok"}}""",
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
    public async Task Should_answer_415_to_a_body_that_is_not_json()
    {
        var response = await service.Client.PostAsync("/orders", new StringContent("items=MUG-001", Encoding.UTF8, "application/x-www-form-urlencoded"));

        await ProblemAssert.IsProblem(response, HttpStatusCode.UnsupportedMediaType);
    }

    [Fact]
    public async Task Should_answer_413_to_a_body_over_64_KB()
    {
        var response = await service.Client.PostAsJsonAsync("/orders", Order(cardToken: new string('a', 70_000)));

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
        await service.ClientFor(customerId).PostOrder(Order(items: [new { sku = "MUG-001", quantity = 0 }]));

        Assert.Equal(0, await service.InScope(db => Task.FromResult(db.Orders.Count(o => o.CustomerId == customerId))));
    }

    static object Order(Guid? customerId = null, string? email = null, object[]? items = null, string? cardToken = "tok_visa") => new
    {
        customerId,
        email,
        items = items ?? [new { sku = "MUG-001", quantity = 1 }],
        payment = new { cardToken }
    };
}
