using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Shop.Orders.Api.Endpoints;
using Shop.Orders.Tests.Infrastructure;

namespace Shop.Orders.Tests.Api;

public sealed class When_the_endpoints_are_mapped(OrdersServiceFixture service) : IClassFixture<OrdersServiceFixture>
{
    // Everything else needs a token: a new endpoint without RequireAuthorization fails here until it is added or listed.
    static readonly string[] Public =
    [
        "* /health/live", "* /health/ready", "GET /products/", "GET /images", "GET /images/{id:guid}/",
        "GET /images/{id:guid}/thumbnails/{size:int}", "GET /images/{id:guid}/original",
    ];

    [Fact]
    public void Should_require_a_token_everywhere_but_the_public_endpoints()
    {
        var open = Endpoints()
            .Where(e => !e.Metadata.OfType<IAuthorizeData>().Any())
            .Select(Describe)
            .Where(name => !name.StartsWith("GET /openapi/", StringComparison.Ordinal) && !name.StartsWith("GET /scalar", StringComparison.Ordinal))
            .ToList();

        Assert.True(open.Order().SequenceEqual(Public.Order()), "Answered without a token: " + string.Join(" | ", open));
    }

    [Theory]
    [InlineData("CreateOrder", OrdersEndpoints.MaxBodyBytes)]
    [InlineData("UploadProductImage", 20 * 1024 * 1024 + 64 * 1024)]
    public void Should_declare_the_request_size_limit_as_metadata(string name, long limit)
    {
        var endpoint = Endpoints().Single(e => e.Metadata.GetMetadata<IEndpointNameMetadata>()?.EndpointName == name);

        Assert.Equal(limit, endpoint.Metadata.GetMetadata<IRequestSizeLimitMetadata>()?.MaxRequestBodySize);
    }

    IEnumerable<RouteEndpoint> Endpoints() =>
        service.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>();

    static string Describe(RouteEndpoint endpoint) =>
        $"{string.Join(',', endpoint.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? ["*"])} /{endpoint.RoutePattern.RawText?.TrimStart('/')}";
}
