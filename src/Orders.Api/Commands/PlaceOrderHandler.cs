using MassTransit;
using Microsoft.EntityFrameworkCore;
using Shop.Contracts.Orders;
using Shop.Orders.Api.Domain;
using Shop.Orders.Api.Endpoints;
using Shop.Orders.Api.Persistence;

namespace Shop.Orders.Api.Commands;

/// <summary>
/// Validates an order against the catalog, stores it with its card token and idempotency key, and submits it: the row,
/// the key and the <see cref="OrderSubmitted"/> in the outbox commit in one transaction, or none of them does.
/// </summary>
public sealed class PlaceOrderHandler(OrdersDbContext db, IdempotencyKeyStore idempotencyKeys, IPublishEndpoint publishEndpoint,
    TimeProvider time, ILogger<PlaceOrderHandler> logger)
{
    // Compiled once: a LINQ query pays for parameter extraction and a cache lookup of its expression on every call.
    static readonly Func<OrdersDbContext, List<string>, IAsyncEnumerable<Product>> ProductsOf = EF.CompileAsyncQuery(
        (OrdersDbContext db, List<string> skus) => db.Products.AsNoTracking().Where(p => skus.Contains(p.Sku)));

    public async Task<PlaceOrderOutcome> Handle(PlaceOrder command, CancellationToken cancellationToken)
    {
        var request = command.Order;
        var skus = (request.Items ?? []).Select(i => i?.Sku).OfType<string>().Distinct().ToList();
        var catalog = new Dictionary<string, Product>(StringComparer.OrdinalIgnoreCase);
        await foreach (var product in ProductsOf(db, skus).WithCancellation(cancellationToken))
            catalog[product.Sku] = product;

        var errors = CreateOrderValidator.Validate(request, command.Customer, catalog);
        if (errors.Count > 0)
            return new PlaceOrderOutcome.Invalid(errors);

        var fingerprint = command.Fingerprint();
        if (command.IdempotencyKey is { } key && await idempotencyKeys.Find(key, cancellationToken) is { } known)
            return await Replay(known, fingerprint, cancellationToken);

        var now = time.GetUtcNow().UtcDateTime;
        var order = Order.Submit(NewId.NextGuid(), command.Customer.Id, command.Customer.Email, now);
        foreach (var item in request.Items!)
            order.AddLine(catalog[item.Sku!], item.Quantity!.Value);

        db.Orders.Add(order);
        // For the saga alone, which takes it into its state and sends it only to the payments endpoint.
        db.OrderCardTokens.Add(new OrderCardToken { OrderId = order.Id, CardToken = request.Payment!.CardToken!, CreatedAt = now });
        if (command.IdempotencyKey is not null)
            idempotencyKeys.Claim(command.IdempotencyKey, fingerprint, order.Id, now);

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
        catch (DbUpdateException exception) when (command.IdempotencyKey is { } taken && IdempotencyKeyStore.IsTaken(exception))
        {
            // A concurrent request with the same key committed first; answer as it did, and publish nothing.
            db.ChangeTracker.Clear();
            var winner = await idempotencyKeys.Find(taken, cancellationToken)
                ?? throw new InvalidOperationException($"Idempotency key {taken} was taken, yet it is not stored.", exception);
            logger.LogInformation("Idempotency key {IdempotencyKey} was taken concurrently by order {OrderId}", taken, winner.OrderId);
            return await Replay(winner, fingerprint, cancellationToken);
        }

        // Per order, so at Debug: the request's span already names the order (shop.order.id) and ASP.NET Core's request
        // metric counts it.
        logger.LogDebug("Order {OrderId} of customer {CustomerId} accepted: {LineCount} line(s), {Total} {Currency}",
            order.Id, order.CustomerId, order.Items.Count, order.Total, order.Currency);
        return new PlaceOrderOutcome.Accepted(order.Id, order.Status);
    }

    /// <summary>The answer to a retry: the order the key created, as it stands now, unless the order asked for changed.</summary>
    async Task<PlaceOrderOutcome> Replay(IdempotencyKey known, string fingerprint, CancellationToken cancellationToken)
    {
        if (known.RequestHash != fingerprint)
            return new PlaceOrderOutcome.KeyReused();

        var status = await db.Orders.Where(o => o.Id == known.OrderId).Select(o => o.Status).SingleAsync(cancellationToken);
        return new PlaceOrderOutcome.Accepted(known.OrderId, status);
    }
}
