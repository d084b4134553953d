using Microsoft.EntityFrameworkCore;
using Shop.Messaging.EntityFrameworkCore.Storage;
using Shop.Orders.Api.Persistence;

namespace Shop.Orders.Api.StateMachines;

/// <summary>
/// Writes through the consume scope's <see cref="OrdersDbContext"/>, the one the durable store holds the saga's
/// transaction on, so a status change commits together with the saga state and the messages it sends.
/// </summary>
sealed class OrderStatusLog(OrdersDbContext db, ILogger<OrderStatusLog> logger) : IOrderStatusLog
{
    public async Task Record(Guid orderId, string status, string? reason, DateTime at, CancellationToken cancellationToken)
    {
        // On PostgreSQL the record rides with the saga step's commit instead of reading the order first (a round trip
        // per status). It is Order.Record in SQL: the reason, once given, stays; the timeline entry is written only
        // where the update found the order, as below.
        if (db.Database.IsNpgsql() && db.TryDeferToCommit(
                $"""
                 WITH recorded AS (UPDATE orders SET status = {status}, updated_at = {at},
                     cancellation_reason = COALESCE({reason}::text, cancellation_reason) WHERE id = {orderId} RETURNING id)
                 INSERT INTO order_timeline (order_id, status, reason, at) SELECT id, {status}, {reason}::text, {at} FROM recorded
                 """))
            return;

        // Find, not a query: a step that records twice (stock reserved, then payment pending) reads the row once.
        var order = await db.Orders.FindAsync([orderId], cancellationToken);
        if (order is null)
        {
            // An order published by another writer (or a test) has no row here; the saga still runs.
            logger.LogWarning("Order {OrderId} has no row to record status {Status} on", orderId, status);
            return;
        }

        order.Record(status, reason, at);
    }
}
