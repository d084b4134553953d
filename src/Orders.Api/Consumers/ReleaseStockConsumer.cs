using MassTransit;
using Microsoft.EntityFrameworkCore;
using Shop.Contracts.Stock;
using Shop.Messaging.EntityFrameworkCore;
using Shop.Orders.Api.Persistence;

namespace Shop.Orders.Api.Consumers;

/// <summary>Gives back what an order reserved. Only rows this statement marks released are returned, so a second release adds nothing.</summary>
[ClaimAtCommit]
public sealed class ReleaseStockConsumer(OrdersDbContext db, TimeProvider time, ILogger<ReleaseStockConsumer> logger)
    : IConsumer<ReleaseStock>
{
    public async Task Consume(ConsumeContext<ReleaseStock> context)
    {
        var orderId = context.Message.OrderId;
        var now = time.GetUtcNow().UtcDateTime;

        // The update locks the reservation rows; a concurrent release waits, then sees them released and returns none.
        var released = await db.Database.SqlQuery<ReleasedLine>($"""
            UPDATE stock_reservations SET released_at = {now}
            WHERE order_id = {orderId} AND released_at IS NULL
            RETURNING sku AS "Sku", quantity AS "Quantity"
            """).ToListAsync(context.CancellationToken);

        foreach (var line in released.OrderBy(line => line.Sku, StringComparer.Ordinal))
        {
            await db.Database.ExecuteSqlInterpolatedAsync(
                $"UPDATE stock SET on_hand = on_hand + {line.Quantity} WHERE sku = {line.Sku}", context.CancellationToken);
        }

        logger.LogInformation("Released {LineCount} reserved line(s) of order {OrderId}", released.Count, orderId);
        await context.Publish(new StockReleased(orderId), context.CancellationToken);
    }

    sealed record ReleasedLine(string Sku, int Quantity);
}
