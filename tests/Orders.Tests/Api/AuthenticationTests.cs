using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Shop.Identity;
using Shop.Orders.Api.Endpoints.Models;
using Shop.Orders.Tests.Infrastructure;
using Shop.Testing;

namespace Shop.Orders.Tests.Api;

public sealed class When_the_api_is_called_without_a_valid_token(OrdersServiceFixture service) : IClassFixture<OrdersServiceFixture>
{
    public static TheoryData<string, string> ProtectedEndpoints() => new()
    {
        { "POST", "/orders" },
        { "GET", $"/orders/{Guid.NewGuid()}" },
        { "GET", "/orders" },
        { "GET", $"/orders/{Guid.NewGuid()}/history" },
        { "POST", "/products/MUG-001/images" },
        { "POST", "/products/MUG-001/images/upload-url" },
    };

    [Theory]
    [MemberData(nameof(ProtectedEndpoints))]
    public async Task Should_answer_401_problem_without_a_token(string method, string path)
    {
        var response = await service.ClientWith(null).SendAsync(new HttpRequestMessage(new HttpMethod(method), path)
        {
            Content = method == "POST" ? JsonContent.Create(OrderRequests.Valid()) : null
        });

        await ProblemAssert.IsProblem(response, HttpStatusCode.Unauthorized);
        Assert.Contains(response.Headers.WwwAuthenticate, h => h.Scheme == "Bearer");
    }

    public static TheoryData<string> BadTokens() => new()
    {
        // Expired an hour ago, beyond the minute of clock skew allowed.
        TestTokens.Issuer.Customer(Guid.NewGuid(), "ann@example.com", TimeSpan.FromHours(-1)),
        // Signed with another key.
        new LocalTokenIssuer("someone-elses-signing-key-that-is-long-enough").Customer(Guid.NewGuid(), "ann@example.com"),
        // For another audience.
        new LocalTokenIssuer(TestTokens.SigningKey, audience: "another-api").Customer(Guid.NewGuid(), "ann@example.com"),
        "not-a-jwt",
    };

    [Theory]
    [MemberData(nameof(BadTokens))]
    public async Task Should_answer_401_problem_to_a_token_it_cannot_trust(string token)
    {
        var response = await service.ClientWith(token).PostOrder(OrderRequests.Valid());

        await ProblemAssert.IsProblem(response, HttpStatusCode.Unauthorized);
    }

    [Theory]
    [InlineData("/health/live")]
    [InlineData("/health/ready")]
    [InlineData("/products")]
    public async Task Should_answer_the_public_endpoints_anonymously(string path)
    {
        var response = await service.ClientWith(null).GetAsync(path);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }
}

public sealed class When_the_caller_lacks_the_role(OrdersServiceFixture service) : IClassFixture<OrdersServiceFixture>
{
    [Fact]
    public async Task Should_answer_403_problem_to_an_operator_placing_an_order()
    {
        var response = await service.ClientWith(TestTokens.Issuer.Operator()).PostOrder(OrderRequests.Valid());

        await ProblemAssert.IsProblem(response, HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task Should_answer_403_problem_to_a_customer_token_without_an_email()
    {
        var customerId = Guid.NewGuid();
        var token = TestTokens.Issuer.Issue(new TokenRequest(customerId.ToString(), [ShopRoles.Customer], customerId));

        var response = await service.ClientWith(token).PostOrder(OrderRequests.Valid());

        await ProblemAssert.IsProblem(response, HttpStatusCode.Forbidden);
        Assert.Equal(0, await service.InScope(db => Task.FromResult(db.Orders.Count(o => o.CustomerId == customerId))));
    }

    [Theory]
    [InlineData("/products/MUG-001/images/upload-url")]
    [InlineData("/products/MUG-001/images")]
    public async Task Should_answer_403_problem_to_a_customer_uploading_images(string path)
    {
        var response = await service.Client.PostAsJsonAsync(path, new { });

        await ProblemAssert.IsProblem(response, HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task Should_answer_403_problem_to_a_catalog_admin_reading_orders()
    {
        var response = await service.ClientWith(TestTokens.Issuer.CatalogAdmin()).GetAsync($"/orders/{Guid.NewGuid()}");

        await ProblemAssert.IsProblem(response, HttpStatusCode.Forbidden);
    }
}

public sealed class When_a_customer_reads_orders(OrdersServiceFixture service) : IClassFixture<OrdersServiceFixture>
{
    [Fact]
    public async Task Should_answer_404_for_another_customers_order_as_for_an_unknown_one()
    {
        var id = await Place(service.ClientFor(Guid.NewGuid()));

        var theirs = await ProblemAssert.IsProblem(await service.Client.GetAsync($"/orders/{id}"), HttpStatusCode.NotFound);
        var unknown = await ProblemAssert.IsProblem(await service.Client.GetAsync($"/orders/{Guid.NewGuid()}"), HttpStatusCode.NotFound);

        Assert.Equal(unknown.GetProperty("title").GetString(), theirs.GetProperty("title").GetString());
    }

    [Fact]
    public async Task Should_show_the_customer_their_own_order_and_an_operator_any()
    {
        var id = await Place(service.Client);

        var own = await service.Client.GetFromJsonAsync<OrderDetails>($"/orders/{id}");
        var seenByOperator = await service.ClientWith(TestTokens.Issuer.Operator()).GetFromJsonAsync<OrderDetails>($"/orders/{id}");

        Assert.Equal(service.Customer, own!.CustomerId);
        Assert.Equal(id, seenByOperator!.Id);
    }

    [Fact]
    public async Task Should_take_the_customer_and_email_from_the_token()
    {
        var customerId = Guid.NewGuid();
        var client = service.ClientFor(customerId, "token.holder@example.com");

        var order = await client.GetFromJsonAsync<OrderDetails>($"/orders/{await Place(client)}");

        Assert.Equal(customerId, order!.CustomerId);
        Assert.Equal("token.holder@example.com", order.Email);
    }

    static async Task<Guid> Place(HttpClient client)
    {
        var response = await client.PostOrder(OrderRequests.Valid());
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<OrderAccepted>())!.Id;
    }
}

public sealed class When_reading_the_openapi_document(OrdersServiceFixture service) : IClassFixture<OrdersServiceFixture>
{
    [Fact]
    public async Task Should_describe_the_bearer_scheme_and_require_it_where_a_token_is_needed()
    {
        var document = JsonDocument.Parse(await service.ClientWith(null).GetStringAsync("/openapi/v1.json")).RootElement;

        var scheme = document.GetProperty("components").GetProperty("securitySchemes").GetProperty("Bearer");
        Assert.Equal("http", scheme.GetProperty("type").GetString());
        Assert.Equal("bearer", scheme.GetProperty("scheme").GetString());
        var placeOrder = document.GetProperty("paths").GetProperty("/orders").GetProperty("post");
        Assert.Contains(placeOrder.GetProperty("security").EnumerateArray(), requirement => requirement.TryGetProperty("Bearer", out _));
        Assert.False(document.GetProperty("paths").GetProperty("/products").GetProperty("get").TryGetProperty("security", out _));
    }
}

/// <summary>The API in the Production environment, with nothing said about OpenAPI.</summary>
public sealed class ProductionOrdersServiceFixture : OrdersServiceFixture
{
    protected override string EnvironmentName => "Production";
}

public sealed class When_the_api_runs_in_production(ProductionOrdersServiceFixture service) : IClassFixture<ProductionOrdersServiceFixture>
{
    [Theory]
    [InlineData("/openapi/v1.json")]
    [InlineData("/scalar")]
    public async Task Should_not_serve_openapi_unless_configured(string path)
    {
        var response = await service.ClientWith(null).GetAsync(path);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await service.ClientWith(null).GetAsync("/health/live")).StatusCode);
    }
}

/// <summary>The development token endpoint switched on, as the standalone shop and the Development environment have it.</summary>
public sealed class TokenEndpointFixture : OrdersServiceFixture
{
    protected override IDictionary<string, string?> Settings() => new Dictionary<string, string?>(base.Settings())
    {
        ["Auth:LocalIssuer:TokenEndpoint"] = "true",
    };
}

public sealed class When_a_token_is_asked_of_the_development_endpoint(TokenEndpointFixture service) : IClassFixture<TokenEndpointFixture>
{
    [Fact]
    public async Task Should_issue_a_token_with_every_role_asked_for_that_the_api_accepts()
    {
        var response = await service.ClientWith(null).PostAsync("/dev/token?role=catalog-admin&role=operator&expires=00:10:00", null);

        response.EnsureSuccessStatusCode();
        var issued = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(["catalog-admin", "operator"], issued.GetProperty("roles").EnumerateArray().Select(r => r.GetString()));
        var staff = service.ClientWith(issued.GetProperty("token").GetString());
        // An operator: an unknown order is a 404, not a 403.
        await ProblemAssert.IsProblem(await staff.GetAsync($"/orders/{Guid.NewGuid()}"), HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Should_issue_a_customer_token_by_default()
    {
        var customerId = Guid.NewGuid();
        var response = await service.ClientWith(null).PostAsync($"/dev/token?customerId={customerId}&email=ada@example.com", null);

        var issued = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        var placed = await service.ClientWith(issued.GetProperty("token").GetString()).PostOrder(OrderRequests.Valid());
        Assert.Equal(HttpStatusCode.Accepted, placed.StatusCode);
        Assert.Equal(1, await service.InScope(db => Task.FromResult(db.Orders.Count(o => o.CustomerId == customerId && o.Email == "ada@example.com"))));
    }

    [Fact]
    public async Task Should_refuse_an_unknown_role()
    {
        var response = await service.ClientWith(null).PostAsync("/dev/token?role=root", null);

        await ProblemAssert.IsValidationProblemNaming(response, "role");
    }
}

public sealed class When_the_development_endpoint_is_off(OrdersServiceFixture service) : IClassFixture<OrdersServiceFixture>
{
    [Fact]
    public async Task Should_not_be_there()
    {
        var response = await service.ClientWith(null).PostAsync("/dev/token?role=operator", null);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }
}
