using MassTransit;
using Microsoft.EntityFrameworkCore;
using Shop.Contracts.Stock;
using Shop.Messaging.EntityFrameworkCore;
using Shop.Messaging.EntityFrameworkCore.Storage;
using Shop.Orders.Api.Domain;
using Shop.Orders.Api.Persistence;

namespace Shop.Orders.Api.Consumers;

/// <summary>
/// Reserves every line of an order or none. Each line is taken with a conditional atomic update, so concurrent
/// orders for one SKU queue on its row and can never take it below zero. On PostgreSQL a first try sends those updates
/// with its commit (<see cref="ReservedAtCommit"/>); a retry, and SQLite, take them one by one under a savepoint.
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
        var lines = Lines(context.Message);
        var shortage = Invalid(lines);

        if (shortage is null && db.Database.IsNpgsql() && context.GetRetryAttempt() == 0 && context.GetRedeliveryCount() == 0
            && await ReservedAtCommit(context, lines))
            return;

        // Reserving is per order: a second request (another message id, a redelivery after the inbox forgot) takes nothing.
        if (await AlreadyReserved(db, orderId, cancellationToken))
        {
            logger.LogInformation("Stock for order {OrderId} is already reserved", orderId);
            await context.Publish(new StockReserved(orderId), cancellationToken);
            return;
        }

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

        AddReservations(orderId, lines);
        // Saved with the outbox in the store's one batch, which the stock row's lock waits for anyway. A concurrent
        // reservation of the same order fails that save on the unique (order_id, sku) index and rolls back; the retry
        // then finds that reservation above.
        logger.LogDebug("Reserved {LineCount} line(s) of stock for order {OrderId}", lines.Count, orderId);
        await context.Publish(new StockReserved(orderId), cancellationToken);
    }

    /// <summary>
    /// The first try on PostgreSQL: one read without a lock, and the lines taken in the commit's batch, so a SKU every
    /// order buys is locked for that batch on the server rather than from an update to a commit a round trip and the
    /// process's work later (the order flow's rate was one over that hold). A line taken meanwhile fails the batch as a
    /// serialization failure (<c>take_stock</c>); the retry takes the rows' locks the way below. False: nothing was
    /// decided (no commit of the durable store is there to carry the lines). The lines are valid, summed and in SKU order.
    /// </summary>
    async Task<bool> ReservedAtCommit(ConsumeContext<ReserveStock> context, List<StockLine> lines)
    {
        var orderId = context.Message.OrderId;
        var skus = lines.Select(line => line.Sku).ToArray();
        var stock = await db.Database.SqlQuery<StockRead>($"""
            SELECT wanted.sku AS "Sku", stock.on_hand AS "OnHand",
                EXISTS (SELECT 1 FROM stock_reservations WHERE order_id = {orderId}) AS "Reserved"
            FROM unnest({skus}) AS wanted (sku) LEFT JOIN stock ON stock.sku = wanted.sku
            """).ToListAsync(context.CancellationToken);

        if (stock.Any(row => row.Reserved))
        {
            logger.LogInformation("Stock for order {OrderId} is already reserved", orderId);
            await context.Publish(new StockReserved(orderId), context.CancellationToken);
            return true;
        }

        var onHand = stock.ToDictionary(row => row.Sku, row => row.OnHand, StringComparer.Ordinal);
        // What the locking way would answer for the first short line, as of the read's snapshot.
        var shortage = lines.FirstOrDefault(line => onHand[line.Sku] is not { } units || units < line.Quantity) is { } missing
            ? onHand[missing.Sku] is null ? $"unknown sku {missing.Sku}" : $"insufficient stock for {missing.Sku}"
            : null;
        if (shortage is not null)
        {
            logger.LogInformation("Stock for order {OrderId} is unavailable: {Reason}", orderId, shortage);
            await context.Publish(new StockUnavailable(orderId, shortage), context.CancellationToken);
            return true;
        }

        // In SKU order, as the locking way takes them: two batches over the same SKUs never deadlock.
        foreach (var line in lines)
        {
            if (!db.TryDeferToCommit($"CALL take_stock({line.Sku}, {line.Quantity})"))
                return false; // The first line decides: outside the store's consume nothing is deferred.
        }

        AddReservations(orderId, lines);
        logger.LogDebug("Reserving {LineCount} line(s) of stock for order {OrderId} at commit", lines.Count, orderId);
        await context.Publish(new StockReserved(orderId), context.CancellationToken);
        return true;
    }

    void AddReservations(Guid orderId, List<StockLine> lines)
    {
        var now = time.GetUtcNow().UtcDateTime;
        db.StockReservations.AddRange(lines.Select(line => new StockReservation
        {
            OrderId = orderId,
            Sku = line.Sku,
            Quantity = line.Quantity,
            ReservedAt = now
        }));
    }

    // Summed per SKU and taken in SKU order, so two orders over the same SKUs lock rows in one order and never deadlock.
    static List<StockLine> Lines(ReserveStock message) => message.Items
        .GroupBy(line => line.Sku, StringComparer.Ordinal)
        .Select(group => new StockLine(group.Key, group.Sum(line => line.Quantity)))
        .OrderBy(line => line.Sku, StringComparer.Ordinal)
        .ToList();

    static string? Invalid(List<StockLine> lines) =>
        lines.Count == 0 ? "the order has no lines" : lines.FirstOrDefault(line => line.Quantity <= 0) is { } invalid
            ? $"invalid quantity {invalid.Quantity} for {invalid.Sku}"
            : null;

    sealed record StockRead(string Sku, int? OnHand, bool Reserved);
}
