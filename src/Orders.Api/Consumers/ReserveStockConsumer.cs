using MassTransit;
using Microsoft.EntityFrameworkCore;
using Shop.Contracts.Stock;
using Shop.Messaging.EntityFrameworkCore;
using Shop.Orders.Api.Domain;
using Shop.Orders.Api.Persistence;

namespace Shop.Orders.Api.Consumers;

/// <summary>
/// Reserves every line of an order or none. Each line is taken with a conditional atomic update, so concurrent
/// orders for one SKU queue on its row and can never take it below zero.
/// </summary>
[ClaimAtCommit]
public sealed class ReserveStockConsumer(OrdersDbContext db, TimeProvider time, ILogger<ReserveStockConsumer> logger)
    : IConsumer<ReserveStock>
{
    const string Savepoint = "reserve_stock";

    // Compiled once: a LINQ query pays for parameter extraction and a cache lookup of its expression on every call.
    static readonly Func<OrdersDbContext, Guid, CancellationToken, Task<bool>> AlreadyReserved = EF.CompileAsyncQuery(
        (OrdersDbContext db, Guid orderId, CancellationToken _) => db.StockReservations.Any(r => r.OrderId == orderId));

    public async Task Consume(ConsumeContext<ReserveStock> context)
    {
        var orderId = context.Message.OrderId;
        var cancellationToken = context.CancellationToken;

        // Reserving is per order: a second request (another message id, a redelivery after the inbox forgot) takes nothing.
        if (await AlreadyReserved(db, orderId, cancellationToken))
        {
            logger.LogInformation("Stock for order {OrderId} is already reserved", orderId);
            await context.Publish(new StockReserved(orderId), cancellationToken);
            return;
        }

        // Summed per SKU and taken in SKU order, so two orders over the same SKUs lock rows in one order and never deadlock.
        var lines = context.Message.Items
            .GroupBy(line => line.Sku, StringComparer.Ordinal)
            .Select(group => new StockLine(group.Key, group.Sum(line => line.Quantity)))
            .OrderBy(line => line.Sku, StringComparer.Ordinal)
            .ToList();

        var shortage = lines.Count == 0 ? "the order has no lines" : lines.FirstOrDefault(line => line.Quantity <= 0) is { } invalid
            ? $"invalid quantity {invalid.Quantity} for {invalid.Sku}"
            : null;

        var transaction = db.Database.CurrentTransaction
            ?? throw new InvalidOperationException("ReserveStockConsumer runs inside the durable store's transaction.");

        // One line's conditional update takes all or nothing by itself; only a second line needs a way back.
        var savepoint = shortage is null && lines.Count > 1;
        if (savepoint)
            await transaction.CreateSavepointAsync(Savepoint, cancellationToken);

        foreach (var line in shortage is null ? lines : [])
        {
            var taken = await db.Database.ExecuteSqlInterpolatedAsync(
                $"UPDATE stock SET on_hand = on_hand - {line.Quantity} WHERE sku = {line.Sku} AND on_hand >= {line.Quantity}",
                cancellationToken);
            if (taken == 0)
            {
                shortage = await db.Stock.AnyAsync(s => s.Sku == line.Sku, cancellationToken)
                    ? $"insufficient stock for {line.Sku}"
                    : $"unknown sku {line.Sku}";
                break;
            }
        }

        if (shortage is not null)
        {
            // All or nothing: give back the lines already taken by this message.
            if (savepoint)
                await transaction.RollbackToSavepointAsync(Savepoint, cancellationToken);
            logger.LogInformation("Stock for order {OrderId} is unavailable: {Reason}", orderId, shortage);
            await context.Publish(new StockUnavailable(orderId, shortage), cancellationToken);
            return;
        }

        var now = time.GetUtcNow().UtcDateTime;
        db.StockReservations.AddRange(lines.Select(line => new StockReservation
        {
            OrderId = orderId,
            Sku = line.Sku,
            Quantity = line.Quantity,
            ReservedAt = now
        }));
        // Saved with the outbox in the store's one batch, which the stock row's lock waits for anyway. A concurrent
        // reservation of the same order fails that save on the unique (order_id, sku) index and rolls back; the retry
        // then finds that reservation above.
        logger.LogDebug("Reserved {LineCount} line(s) of stock for order {OrderId}", lines.Count, orderId);
        await context.Publish(new StockReserved(orderId), cancellationToken);
    }
}
