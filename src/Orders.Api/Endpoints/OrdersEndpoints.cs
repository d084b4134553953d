using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Shop.Orders.Api.Commands;
using Shop.Orders.Api.Endpoints.Models;
using Shop.Orders.Api.Persistence.Configurations;
using Shop.Orders.Api.Security;

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
            // Kestrel stops reading past it; JsonBody says so as a problem (and holds it where no server limit applies).
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
        JsonBody<CreateOrderRequest> body,
        [FromHeader(Name = IdempotencyKeyHeader)] string? idempotencyKey,
        ClaimsPrincipal user,
        [AsParameters] OrderServices services,
        CancellationToken cancellationToken)
    {
        if (idempotencyKey is not null && (idempotencyKey.Length is 0 or > IdempotencyKeyRules.MaxLength || idempotencyKey.Any(char.IsControl)))
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]>
            {
                [IdempotencyKeyHeader] = [$"The {IdempotencyKeyHeader} header must be 1 to {IdempotencyKeyRules.MaxLength} printable characters."]
            });
        }

        if (body.Rejection is not null)
            return body.Rejection;

        // The Customer policy let only tokens with both through.
        var customer = new OrderCustomer(user.CustomerId()!.Value, user.Email()!);
        var outcome = await services.PlaceOrder.Handle(new PlaceOrder(customer, body.Value!, idempotencyKey), cancellationToken);

        return outcome switch
        {
            PlaceOrderOutcome.Accepted accepted =>
                TypedResults.Accepted($"/orders/{accepted.OrderId}", new OrderAccepted(accepted.OrderId, accepted.Status)),
            PlaceOrderOutcome.Invalid invalid => TypedResults.ValidationProblem(invalid.Errors, title: "The order is not valid."),
            PlaceOrderOutcome.KeyReused => TypedResults.Problem(statusCode: StatusCodes.Status422UnprocessableEntity,
                title: "Idempotency key reused", detail: $"The {IdempotencyKeyHeader} was already used with a different request body."),
            _ => throw new InvalidOperationException($"Unexpected outcome {outcome}.")
        };
    }

    static async Task<Results<Ok<OrderDetails>, ProblemHttpResult>> GetOrder(Guid id, ClaimsPrincipal user,
        [AsParameters] OrderServices services, CancellationToken cancellationToken)
    {
        var order = await services.Db.Orders.AsNoTracking()
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
}
