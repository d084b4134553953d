using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Shop.Messaging.EntityFrameworkCore.Storage;

namespace Shop.Messaging.EntityFrameworkCore.Delivery;

/// <summary>
/// Sends the outbox units a transaction just committed straight away, from the memory of the process that wrote
/// them, instead of leaving them to the delivery service's next round (a wake-up, a query, a send and a delete later).
/// The rows stay the source of truth: a unit is deleted in a short transaction that commits only after its messages
/// went out. The delete's row lock keeps a competing delivery round off the unit, and a unit such a round holds or has
/// already sent is left alone. A failed send rolls the delete back, so the unit waits for the delivery service.
/// </summary>
public sealed class AfterCommitDelivery(OutboxMessageSender sender, DurableStoreMetrics metrics, TimeProvider time,
    ILogger<AfterCommitDelivery> logger)
{
    /// <summary>True when every unit went out (or was taken by a delivery round); false leaves the rest to the delivery service.</summary>
    public async Task<bool> Deliver(DbContext db, IReadOnlyList<OutboxState> units, CancellationToken cancellationToken)
    {
        try
        {
            // One unit after another keeps the order of a scope whose SaveChanges ran more than once.
            foreach (var unit in units)
            {
                if (!await DeliverUnit(db, unit, cancellationToken))
                    return false;
            }

            return true;
        }
        catch (Exception exception)
        {
            // The writer's transaction has committed: whatever happens here, the delivery service still has the rows.
            logger.LogWarning(exception, "Delivery right after commit failed; the outbox delivery service takes over");
            return false;
        }
    }

    async Task<bool> DeliverUnit(DbContext db, OutboxState unit, CancellationToken cancellationToken)
    {
        var dialect = DurableStoreDialect.For(db);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);

        // A delete lost in a crash only means the unit is sent again, which the receiving inbox absorbs.
        await using (var delete = db.CreateCommand(
                         $"{dialect.NoDurabilityWaitPrefix}DELETE FROM {dialect.TableName<OutboxState>(db)} WHERE outbox_id = @outbox_id",
                         ("outbox_id", dialect.Parameter(unit.OutboxId))))
        {
            if (await delete.ExecuteNonQueryAsync(cancellationToken) == 0)
                return true;
        }

        var (sent, error) = await sender.Send(unit.Messages, cancellationToken);
        if (error is not null)
        {
            await transaction.RollbackAsync(CancellationToken.None);
            logger.LogWarning(error, "Outbox {OutboxId} not sent right after commit; left to the delivery service", unit.OutboxId);
            return false;
        }

        await transaction.CommitAsync(cancellationToken);
        metrics.Delivered(sent, time.GetUtcNow().UtcDateTime - unit.DueTime);
        return true;
    }
}
