using MassTransit;
using Microsoft.EntityFrameworkCore;
using Shop.Contracts.Stock;
using Shop.Messaging.EntityFrameworkCore;
using Shop.Messaging.EntityFrameworkCore.Storage;
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

        // On PostgreSQL the stock rows, which every reservation of their SKUs queues on, are locked by the commit's batch
        // alone instead of from here to a commit a round trip later.
        foreach (var line in released.OrderBy(line => line.Sku, StringComparer.Ordinal))
        {
            FormattableString giveBack = $"UPDATE stock SET on_hand = on_hand + {line.Quantity} WHERE sku = {line.Sku}";
            if (!(db.Database.IsNpgsql() && db.TryDeferToCommit(giveBack)))
                await db.Database.ExecuteSqlInterpolatedAsync(giveBack, context.CancellationToken);
        }

        logger.LogInformation("Released {LineCount} reserved line(s) of order {OrderId}", released.Count, orderId);
        await context.Publish(new StockReleased(orderId), context.CancellationToken);
    }

    sealed record ReleasedLine(string Sku, int Quantity);
}
