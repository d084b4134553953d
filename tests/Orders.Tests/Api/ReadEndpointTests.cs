using System.Net;
using System.Text.Json;
using Shop.Orders.Tests.Infrastructure;

namespace Shop.Orders.Tests.Api;

public sealed class When_reading_the_api(OrdersServiceFixture service) : IClassFixture<OrdersServiceFixture>
{
    [Fact]
    public async Task Should_answer_404_problem_for_an_unknown_order()
    {
        var problem = await ProblemAssert.IsProblem(await service.Client.GetAsync($"/orders/{Guid.NewGuid()}"), HttpStatusCode.NotFound);

        Assert.Equal("Order not found", problem.GetProperty("title").GetString());
    }

    [Theory]
    [InlineData("/orders/not-a-guid")]
    [InlineData("/nowhere")]
    public async Task Should_answer_404_problem_for_an_unknown_route(string path)
    {
        await ProblemAssert.IsProblem(await service.Client.GetAsync(path), HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Should_answer_405_problem_for_a_wrong_method()
    {
        await ProblemAssert.IsProblem(await service.Client.DeleteAsync("/orders"), HttpStatusCode.MethodNotAllowed);
    }

    [Fact]
    public async Task Should_list_the_seeded_catalog_with_stock()
    {
        var response = await service.Client.GetAsync("/products");

        response.EnsureSuccessStatusCode();
        var products = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.EnumerateArray().ToList();
        Assert.Equal(12, products.Count);
        var lamp = products.Single(p => p.GetProperty("sku").GetString() == "LAMP-001");
        Assert.Equal("Desk lamp", lamp.GetProperty("name").GetString());
        Assert.Equal(59.00m, lamp.GetProperty("price").GetDecimal());
        Assert.Equal("EUR", lamp.GetProperty("currency").GetString());
        Assert.True(lamp.GetProperty("stockOnHand").GetInt32() > 0);
    }

    [Fact]
    public async Task Should_serve_the_openapi_document_with_both_groups()
    {
        var response = await service.Client.GetAsync("/openapi/v1.json");

        response.EnsureSuccessStatusCode();
        var paths = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("paths");
        var names = paths.EnumerateObject().Select(p => p.Name).ToList();
        Assert.Contains("/orders", names);
        Assert.Contains("/orders/{id}", names);
        Assert.Contains("/products", names);
    }

    [Fact]
    public async Task Should_serve_the_scalar_ui()
    {
        var response = await service.Client.GetAsync("/scalar");

        response.EnsureSuccessStatusCode();
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
    }

    [Theory]
    [InlineData("/health/live")]
    [InlineData("/health/ready")]
    public async Task Should_report_healthy(string path)
    {
        var response = await service.Client.GetAsync(path);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }
}
