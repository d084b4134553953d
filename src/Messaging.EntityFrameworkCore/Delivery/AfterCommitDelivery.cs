using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Shop.Messaging.EntityFrameworkCore.Storage;

namespace Shop.Messaging.EntityFrameworkCore.Delivery;

/// <summary>
/// Sends the outbox units a transaction just committed straight away, from the memory of the process that wrote them,
/// instead of leaving them to the delivery service's next round. The rows stay the source of truth, but the writer
/// holds a lease on them (their due time is the lease's end), so nothing else sends them meanwhile and no row lock or
/// transaction of its own is needed: a sent unit's row goes to <see cref="SentOutboxDeletes{TDbContext}"/>, which
/// deletes many at once. A unit whose send fails is handed to the delivery service at once; one whose writer dies
/// waits for the lease to end.
/// </summary>
public sealed class AfterCommitDelivery<TDbContext>(
    IServiceScopeFactory scopes,
    OutboxMessageSender sender,
    SentOutboxDeletes<TDbContext> deletes,
    DurableStoreMetrics metrics,
    DatabaseClock<TDbContext> time,
    ILogger<AfterCommitDelivery<TDbContext>> logger)
    where TDbContext : DbContext
{
    /// <summary>True when every unit went out; false hands the rest to the delivery service (whose caller should wake it).</summary>
    public async Task<bool> Deliver(IReadOnlyList<OutboxUnit> units, CancellationToken cancellationToken)
    {
        var next = 0;
        try
        {
            // One unit after another keeps the order of a scope whose SaveChanges ran more than once.
            for (; next < units.Count; next++)
            {
                var unit = units[next];
                var (sent, error) = await sender.Send(unit.Messages, cancellationToken);
                if (error is not null)
                {
                    logger.LogWarning(error, "Outbox {OutboxId} not sent right after commit; left to the delivery service", unit.OutboxId);
                    break;
                }

                metrics.Delivered(sent, time.GetUtcNow().UtcDateTime - unit.Created);
                deletes.Add(unit.OutboxId);
            }
        }
        catch (Exception exception)
        {
            // The writer's transaction has committed: whatever happens here, the rows are still there.
            logger.LogWarning(exception, "Delivery right after commit failed; the outbox delivery service takes over");
        }

        if (next == units.Count)
            return true;

        await Release(units.Skip(next).Select(unit => unit.OutboxId).ToList());
        return false;
    }

    /// <summary>
    /// Ends the lease of what was not sent, so the delivery service need not wait for it to run out. Only this rare path
    /// needs a database context; the writer's own may be gone (a request's scope ends before its background send).
    /// </summary>
    async Task Release(List<Guid> outboxIds)
    {
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<TDbContext>();
            var now = time.GetUtcNow().UtcDateTime;
            await db.Set<OutboxMessage>().Where(m => outboxIds.Contains(m.OutboxId))
                .ExecuteUpdateAsync(s => s.SetProperty(x => x.DueTime, now), CancellationToken.None);
        }
        catch (Exception exception)
        {
            logger.LogWarning(exception, "Could not hand {Count} outbox units to the delivery service; they wait for their lease to end",
                outboxIds.Count);
        }
    }
}
