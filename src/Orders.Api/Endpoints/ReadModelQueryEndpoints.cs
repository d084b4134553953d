using System.Buffers.Text;
using System.Globalization;
using System.Security.Claims;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.WebUtilities;
using Shop.ProductImages.Catalog;
using Shop.Orders.Api.Endpoints.Models;
using Shop.Orders.Api.Security;
using Shop.ReadModel.Documents;
using Shop.ReadModel.Storage;

namespace Shop.Orders.Api.Endpoints;

/// <summary>
/// Search over orders and images, answered only by the read model (Search.Worker's projection), never by the write
/// model: every answer says how fresh it is. <c>GET /orders/{id}</c> stays on the write model, so that the client who
/// just placed an order reads it back at once.
/// </summary>
public static partial class ReadModelQueryEndpoints
{
    public const int DefaultLimit = 20;
    public const int MaxLimit = 100;
    public const int MaxTextLength = 200;

    public static IEndpointRouteBuilder MapReadModelQueries(this IEndpointRouteBuilder app)
    {
        var orders = app.MapGroup("/orders").WithTags("Order search")
            .RequireAuthorization(ShopPolicies.OrderReader)
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden);
        orders.MapGet("/", SearchOrders)
            .WithName("SearchOrders")
            .WithSummary("Orders from the read model, newest first: by customer, status, words of product names or the email, and time placed. " +
                         "A customer searches only their own orders; an operator all.")
            .ProducesValidationProblem();
        orders.MapGet("/{id:guid}/history", GetHistory)
            .WithName("GetOrderHistory")
            .WithSummary("Every event of an order, from the read model: a customer's own, or any for an operator.")
            .ProducesProblem(StatusCodes.Status404NotFound);

        app.MapGet("/images", SearchImages)
            .WithTags("Image search")
            .WithName("SearchImages")
            .WithSummary("Product images from the read model: status, thumbnails and camera metadata (never the location).")
            .ProducesValidationProblem();
        return app;
    }

    static async Task<Results<Ok<OrderSearchResults>, ValidationProblem>> SearchOrders(HttpRequest request, ClaimsPrincipal user,
        IReadModelReader reader, CancellationToken cancellationToken, string? customerId = null, string? status = null, string? q = null, string? from = null,
        string? to = null, string? cursor = null, string? limit = null)
    {
        var errors = new Dictionary<string, string[]>();
        var query = new OrderSummaryQuery(
            CustomerId: Parse(customerId, nameof(customerId), value => Guid.TryParse(value, out var id) ? id : (Guid?)null, "a GUID"),
            Status: Parse(status, nameof(status), OrderSummaryStatus.Parse, "one of " + string.Join(", ", OrderSummaryStatus.All)),
            Text: Parse(q, nameof(q), value => value.Length <= MaxTextLength ? value : null, $"at most {MaxTextLength} characters"),
            From: Parse(from, nameof(from), ParseTime, "an ISO 8601 date or time"),
            To: Parse(to, nameof(to), ParseTime, "an ISO 8601 date or time"),
            After: Parse(cursor, nameof(cursor), DecodeCursor, "a cursor from a previous page's next link"),
            Limit: Parse(limit, nameof(limit), ParseLimit, $"a number from 1 to {MaxLimit}") ?? DefaultLimit);
        if (query is { From: { } start, To: { } end } && start >= end)
            errors["to"] = ["to must be later than from."];
        if (errors.Count > 0)
            return TypedResults.ValidationProblem(errors, title: "The search is not valid.");

        var freshness = await reader.OrdersFreshnessAsync(cancellationToken);
        if (!user.IsOperator())
        {
            // A customer's search is always within their own orders; naming another customer finds nothing, as it would
            // for a customer without orders.
            var own = user.CustomerId();
            if (own is null || (query.CustomerId is { } named && named != own))
                return TypedResults.Ok(new OrderSearchResults([], null, Freshness.Of(freshness)));
            query = query with { CustomerId = own };
        }

        var page = await reader.QueryOrdersAsync(query, cancellationToken);
        return TypedResults.Ok(new OrderSearchResults(page.Items.Select(OrderSearchItem.Of).ToList(),
            page.NextAfter is { } after ? NextPage(request, EncodeCursor(after)) : null, Freshness.Of(freshness)));

        T? Parse<T>(string? value, string name, Func<string, T?> parse, string expected)
        {
            if (value is null)
                return default;
            if (parse(value.Trim()) is { } parsed)
                return parsed;
            errors[name] = [$"{name} must be {expected}."];
            return default;
        }
    }

    static async Task<Results<Ok<OrderHistory>, ProblemHttpResult>> GetHistory(Guid id, ClaimsPrincipal user, IReadModelReader reader,
        CancellationToken cancellationToken)
    {
        var order = await reader.FindOrderAsync(id, cancellationToken);
        var freshness = Freshness.Of(await reader.OrdersFreshnessAsync(cancellationToken));
        // Another customer's order, or one whose customer the read model does not know yet, answers as a missing one.
        if (order is null || !(user.IsOperator() || (order.CustomerId is { } owner && user.MayRead(owner))))
            return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Order not found",
                detail: $"The read model has no order {id} (yet: it follows the events with a short delay).",
                extensions: new Dictionary<string, object?> { ["freshness"] = freshness });

        return TypedResults.Ok(new OrderHistory(order.OrderId, order.Status, order.Version, order.Timeline, freshness));
    }

    static async Task<Results<Ok<ImageSearchResults>, ValidationProblem>> SearchImages(IReadModelReader reader, CancellationToken cancellationToken,
        string? sku = null, string? status = null, string? limit = null)
    {
        var errors = new Dictionary<string, string[]>();
        if (sku is not null && !Sku.IsValid(sku))
            errors[nameof(sku)] = ["sku must be 1 to 64 letters, digits, '.', '-' or '_'."];
        var parsedStatus = status is null ? null : ProductImageStatus.Parse(status.Trim());
        if (status is not null && parsedStatus is null)
            errors[nameof(status)] = ["status must be one of " + string.Join(", ", ProductImageStatus.All) + "."];
        var parsedLimit = limit is null ? DefaultLimit : ParseLimit(limit);
        if (parsedLimit is null)
            errors[nameof(limit)] = [$"limit must be a number from 1 to {MaxLimit}."];
        if (errors.Count > 0)
            return TypedResults.ValidationProblem(errors, title: "The search is not valid.");

        var images = await reader.QueryImagesAsync(new ProductImageQuery(sku, parsedStatus, parsedLimit!.Value), cancellationToken);
        return TypedResults.Ok(new ImageSearchResults(images.Select(ImageSearchItem.Of).ToList(),
            Freshness.Of(await reader.ImagesFreshnessAsync(cancellationToken))));
    }

    static int? ParseLimit(string value) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var limit) && limit is >= 1 and <= MaxLimit ? limit : null;

    static DateTime? ParseTime(string value) =>
        DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time) ? time.UtcDateTime : null;

    // A cursor is the opaque form of the last order's sort key; anything else a client sends is refused, not searched.
    [GeneratedRegex(@"^\d{19}-[0-9a-f]{32}$", RegexOptions.CultureInvariant)]
    private static partial Regex SortKeyPattern { get; }

    static string EncodeCursor(string sortKey) => Base64Url.EncodeToString(Encoding.ASCII.GetBytes(sortKey));

    static string? DecodeCursor(string cursor)
    {
        if (cursor.Length > 100 || !Base64Url.IsValid(cursor))
            return null;
        var sortKey = Encoding.ASCII.GetString(Base64Url.DecodeFromChars(cursor));
        return SortKeyPattern.IsMatch(sortKey) ? sortKey : null;
    }

    static string NextPage(HttpRequest request, string cursor)
    {
        var query = request.Query.Where(p => p.Key != "cursor").ToDictionary(p => p.Key, p => (string?)p.Value.ToString());
        query["cursor"] = cursor;
        return QueryHelpers.AddQueryString(request.PathBase + request.Path, query);
    }
}
