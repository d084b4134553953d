using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using MassTransit;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Npgsql;
using Shop.Contracts.Orders;
using Shop.Orders.Api.Domain;
using Shop.Orders.Api.Endpoints.Models;
using Shop.Orders.Api.Persistence;
using Shop.Orders.Api.Persistence.Configurations;
using Shop.Orders.Api.Security;
using HttpJsonOptions = Microsoft.AspNetCore.Http.Json.JsonOptions;

namespace Shop.Orders.Api.Endpoints;

public static class OrdersEndpoints
{
    /// <summary>Largest accepted order body: 50 lines fit many times over, a flood does not reach the parser.</summary>
    public const int MaxBodyBytes = 64 * 1024;

    public const string IdempotencyKeyHeader = "Idempotency-Key";

    public static RouteGroupBuilder MapOrdersEndpoints(this RouteGroupBuilder group)
    {
        group.MapPost("/", CreateOrder)
            .WithName("CreateOrder")
            .WithSummary("Place an order as the customer the token names; it is processed asynchronously, poll the Location for its status.")
            .RequireAuthorization(ShopPolicies.Customer)
            .RequireRateLimiting(ShopPolicies.OrdersRateLimit)
            // Kestrel stops reading past it; the bounded read below says so as a problem (and holds where no server limit applies).
            .WithMetadata(new RequestSizeLimitAttribute(MaxBodyBytes))
            .Accepts<CreateOrderRequest>("application/json")
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity)
            .ProducesProblem(StatusCodes.Status429TooManyRequests);

        group.MapGet("/{id:guid}", GetOrder)
            .WithName("GetOrder")
            .WithSummary("An order's status, items, total and the timeline of its state changes: a customer's own, or any for an operator.")
            .RequireAuthorization(ShopPolicies.OrderReader)
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound);

        return group;
    }

    static async Task<Results<Accepted<OrderAccepted>, ValidationProblem, ProblemHttpResult>> CreateOrder(
        HttpContext http,
        ClaimsPrincipal user,
        [FromHeader(Name = IdempotencyKeyHeader)] string? idempotencyKey,
        OrdersDbContext db,
        IPublishEndpoint publishEndpoint,
        TimeProvider time,
        IOptions<HttpJsonOptions> jsonOptions,
        ILoggerFactory loggerFactory,
        CancellationToken cancellationToken)
    {
        var logger = loggerFactory.CreateLogger(typeof(OrdersEndpoints));

        if (idempotencyKey is not null && (idempotencyKey.Length is 0 or > IdempotencyKeyRules.MaxLength || idempotencyKey.Any(char.IsControl)))
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]>
            {
                [IdempotencyKeyHeader] = [$"The {IdempotencyKeyHeader} header must be 1 to {IdempotencyKeyRules.MaxLength} printable characters."]
            });
        }

        var (request, rejection) = await ReadRequest(http.Request, jsonOptions.Value.SerializerOptions, cancellationToken);
        if (rejection is not null)
            return rejection;

        var skus = (request!.Items ?? []).Select(i => i?.Sku).OfType<string>().Distinct().ToList();
        var catalogue = await db.Products.AsNoTracking().Where(p => skus.Contains(p.Sku))
            .ToDictionaryAsync(p => p.Sku, StringComparer.OrdinalIgnoreCase, cancellationToken);

        // The Customer policy let only tokens with both through.
        var customer = new OrderCustomer(user.CustomerId()!.Value, user.Email()!);
        var errors = CreateOrderValidator.Validate(request, customer, catalogue);
        if (errors.Count > 0)
            return TypedResults.ValidationProblem(errors, title: "The order is not valid.");

        var requestHash = Hash(request, customer);
        if (idempotencyKey is not null)
        {
            var known = await db.IdempotencyKeys.AsNoTracking().SingleOrDefaultAsync(k => k.Key == idempotencyKey, cancellationToken);
            if (known is not null)
                return await Replay(db, known, requestHash, cancellationToken);
        }

        var now = time.GetUtcNow().UtcDateTime;
        var order = new Order
        {
            Id = NewId.NextGuid(),
            CustomerId = customer.Id,
            Email = customer.Email,
            Status = OrderStatus.Submitted,
            CreatedAt = now,
            UpdatedAt = now,
            Items = request.Items!.Select(item =>
            {
                var product = catalogue[item.Sku!];
                return new OrderItem { Sku = product.Sku, Name = product.Name, Quantity = item.Quantity!.Value, UnitPrice = product.Price };
            }).ToList(),
            Timeline = [new OrderTimelineEntry { Status = OrderStatus.Submitted, At = now }]
        };
        order.Total = order.Items.Sum(i => i.UnitPrice * i.Quantity);
        order.Currency = catalogue.Values.First().Currency;

        db.Orders.Add(order);
        // For the saga alone, which takes it into its state and sends it only to the payments endpoint.
        db.OrderCardTokens.Add(new OrderCardToken { OrderId = order.Id, CardToken = request.Payment!.CardToken!, CreatedAt = now });
        if (idempotencyKey is not null)
            db.IdempotencyKeys.Add(new IdempotencyKey { Key = idempotencyKey, RequestHash = requestHash, OrderId = order.Id, CreatedAt = now });

        // The request's span names its order: the root of the order's trace, and what the dashboard is searched by.
        System.Diagnostics.Activity.Current?.SetTag("shop.order.id", order.Id.ToString("D"));

        // Written to the outbox by the same SaveChanges as the order: both commit or neither does.
        await publishEndpoint.Publish(new OrderSubmitted(order.Id, order.CustomerId, order.Email,
            order.Items.Select(i => new OrderLine(i.Sku, i.Quantity, i.UnitPrice, i.Name)).ToList(),
            order.Total, order.Currency, now), cancellationToken);

        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException exception) when (idempotencyKey is not null && IsIdempotencyKeyConflict(exception))
        {
            // A concurrent request with the same key committed first; answer as it did, and publish nothing.
            db.ChangeTracker.Clear();
            var winner = await db.IdempotencyKeys.AsNoTracking().SingleAsync(k => k.Key == idempotencyKey, cancellationToken);
            logger.LogInformation("Idempotency key {IdempotencyKey} was taken concurrently by order {OrderId}", idempotencyKey, winner.OrderId);
            return await Replay(db, winner, requestHash, cancellationToken);
        }

        logger.LogInformation("Order {OrderId} of customer {CustomerId} accepted: {LineCount} line(s), {Total} {Currency}",
            order.Id, order.CustomerId, order.Items.Count, order.Total, order.Currency);
        return Accepted(order.Id, order.Status);
    }

    static async Task<Results<Ok<OrderDetails>, ProblemHttpResult>> GetOrder(Guid id, ClaimsPrincipal user, OrdersDbContext db,
        CancellationToken cancellationToken)
    {
        var order = await db.Orders.AsNoTracking()
            .Include(o => o.Items)
            .Include(o => o.Timeline)
            .AsSplitQuery()
            .SingleOrDefaultAsync(o => o.Id == id, cancellationToken);
        // Another customer's order answers as a missing one: a 403 would tell that the id exists.
        if (order is null || !user.MayRead(order.CustomerId))
            return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Order not found", detail: $"There is no order {id}.");

        return TypedResults.Ok(new OrderDetails(
            order.Id,
            order.CustomerId,
            order.Email,
            order.Status,
            order.CancellationReason,
            order.Items.OrderBy(i => i.Sku, StringComparer.Ordinal)
                .Select(i => new OrderDetailsItem(i.Sku, i.Name, i.Quantity, i.UnitPrice, i.UnitPrice * i.Quantity)).ToList(),
            order.Total,
            order.Currency,
            order.CreatedAt,
            order.Timeline.OrderBy(t => t.At).ThenBy(t => t.Id).Select(t => new OrderTimelineItem(t.Status, t.Reason, t.At)).ToList()));
    }

    static async Task<(CreateOrderRequest? Request, ProblemHttpResult? Rejection)> ReadRequest(HttpRequest http,
        JsonSerializerOptions jsonOptions, CancellationToken cancellationToken)
    {
        if (!http.HasJsonContentType())
            return (null, TypedResults.Problem(statusCode: StatusCodes.Status415UnsupportedMediaType, title: "Unsupported media type",
                detail: "Send the order as application/json."));

        if (http.ContentLength > MaxBodyBytes)
            return (null, TooLarge());

        // A chunked body has no Content-Length to check up front: the server's limit (the endpoint's RequestSizeLimit)
        // throws once it is passed, and the cap here does the same on a server without one (the test server).
        using var body = new MemoryStream();
        var buffer = new byte[8192];
        int read;
        try
        {
            while ((read = await http.Body.ReadAsync(buffer, cancellationToken)) > 0)
            {
                if (body.Length + read > MaxBodyBytes)
                    return (null, TooLarge());
                body.Write(buffer, 0, read);
            }
        }
        catch (BadHttpRequestException exception) when (exception.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return (null, TooLarge());
        }

        try
        {
            var request = JsonSerializer.Deserialize<CreateOrderRequest>(body.GetBuffer().AsSpan(0, (int)body.Length), jsonOptions);
            return request is null ? (null, InvalidBody("$", "The body must be a JSON object.")) : (request, null);
        }
        catch (JsonException exception)
        {
            return (null, InvalidBody(exception.Path ?? "$", "The value could not be read; check its type and the JSON syntax."));
        }
    }

    static ProblemHttpResult TooLarge() =>
        TypedResults.Problem(statusCode: StatusCodes.Status413PayloadTooLarge, title: "Request body too large",
            detail: $"An order body may be at most {MaxBodyBytes} bytes.");

    // ProblemHttpResult rather than ValidationProblem so ReadRequest has one rejection type; the shape is the same.
    static ProblemHttpResult InvalidBody(string jsonPath, string message)
    {
        var field = jsonPath == "$" ? "body" : jsonPath.StartsWith("$.", StringComparison.Ordinal) ? jsonPath[2..] : jsonPath;
        return TypedResults.Problem(new HttpValidationProblemDetails(new Dictionary<string, string[]> { [field] = [message] })
        {
            Status = StatusCodes.Status400BadRequest,
            Title = "The order is not valid."
        });
    }

    /// <summary>The answer to a retry: the order the key created, as it stands now, or 422 when the body changed.</summary>
    static async Task<Results<Accepted<OrderAccepted>, ValidationProblem, ProblemHttpResult>> Replay(OrdersDbContext db, IdempotencyKey known,
        string requestHash, CancellationToken cancellationToken)
    {
        if (known.RequestHash != requestHash)
            return TypedResults.Problem(statusCode: StatusCodes.Status422UnprocessableEntity, title: "Idempotency key reused",
                detail: $"The {IdempotencyKeyHeader} was already used with a different request body.");

        var status = await db.Orders.Where(o => o.Id == known.OrderId).Select(o => o.Status).SingleAsync(cancellationToken);
        return Accepted(known.OrderId, status);
    }

    static Accepted<OrderAccepted> Accepted(Guid orderId, string status) =>
        TypedResults.Accepted($"/orders/{orderId}", new OrderAccepted(orderId, status));

    static bool IsIdempotencyKeyConflict(DbUpdateException exception) => exception.InnerException switch
    {
        PostgresException postgres => postgres is { SqlState: PostgresErrorCodes.UniqueViolation, TableName: "idempotency_keys" },
        // SQLite (standalone mode) names the table only in the message: "UNIQUE constraint failed: idempotency_keys.key".
        SqliteException sqlite => sqlite.SqliteExtendedErrorCode == SqlitePrimaryKeyViolation
            && sqlite.Message.Contains("idempotency_keys.", StringComparison.Ordinal),
        _ => false
    };

    const int SqlitePrimaryKeyViolation = 1555;

    /// <summary>A fingerprint of what the request asks for, independent of JSON formatting and line order.</summary>
    static string Hash(CreateOrderRequest request, OrderCustomer customer)
    {
        var canonical = JsonSerializer.Serialize(new
        {
            CustomerId = customer.Id,
            customer.Email,
            Items = request.Items!.OrderBy(i => i.Sku, StringComparer.OrdinalIgnoreCase).Select(i => new { Sku = i.Sku!.ToUpperInvariant(), i.Quantity }),
            request.Payment!.CardToken
        });
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(canonical)));
    }
}
