using MassTransit;
using MassTransit.Scheduling;
using Microsoft.EntityFrameworkCore;
using Shop.Messaging.EntityFrameworkCore.Storage;

namespace Shop.Messaging.EntityFrameworkCore.Scheduling;

/// <summary>
/// MassTransit's scheduler contract on the outbox: a scheduled message is an outbox row due at its time, written
/// through <paramref name="outboxEndpoints"/> (whose sends land in <paramref name="db"/>) and delivered by the
/// delivery service like any other. Cancelling deletes the row if it has not gone out yet. No broker plugin, no
/// limit on how far ahead.
/// </summary>
/// <param name="forgetHeld">Drops a schedule the unit of work holds back (not tracked by <paramref name="db"/>) before it is written.</param>
sealed class DurableScheduleMessageProvider(ISendEndpointProvider outboxEndpoints, DbContext db, Func<CancellationToken, Task>? flush = null,
    Func<Guid, bool>? forgetHeld = null)
    : IScheduleMessageProvider
{
    public async Task<ScheduledMessage<T>> ScheduleSend<T>(Uri destinationAddress, DateTime scheduledTime, T message, IPipe<SendContext<T>> pipe,
        CancellationToken cancellationToken) where T : class
    {
        var schedulePipe = new ScheduleSendPipe<T>(pipe, scheduledTime)
        {
            ScheduledMessageId = ScheduleTokenIdCache<T>.GetTokenId(message, NewId.NextGuid())
        };

        var endpoint = await outboxEndpoints.GetSendEndpoint(destinationAddress);
        await endpoint.Send(message, schedulePipe, cancellationToken);

        if (flush is not null)
            await flush(cancellationToken);

        return new ScheduledMessageHandle<T>(schedulePipe.ScheduledMessageId ?? NewId.NextGuid(), scheduledTime, destinationAddress, message);
    }

    public Task CancelScheduledSend(Guid tokenId, CancellationToken cancellationToken) => Cancel(tokenId, cancellationToken);

    public Task CancelScheduledSend(Uri destinationAddress, Guid tokenId, CancellationToken cancellationToken) => Cancel(tokenId, cancellationToken);

    async Task Cancel(Guid tokenId, CancellationToken cancellationToken)
    {
        // Scheduled in this very unit of work and not saved yet: forget it before it is ever written.
        forgetHeld?.Invoke(tokenId);
        foreach (var entry in db.ChangeTracker.Entries<OutboxMessage>().Where(e => e.Entity.ScheduleTokenId == tokenId && e.State == EntityState.Added).ToList())
            entry.State = EntityState.Detached;

        // In a consumer's transaction, which ends with a save that commits: the delete travels in that save's batch.
        if (CommitWithLastBatch.EndsWithSave(db))
        {
            var dialect = DurableStoreDialect.For(db);
            CommitWithLastBatch.Defer(db, $"DELETE FROM {dialect.TableName<OutboxMessage>(db)} WHERE schedule_token_id = {{0}}", dialect.Parameter(tokenId));
            return;
        }

        await db.Set<OutboxMessage>().Where(m => m.ScheduleTokenId == tokenId).ExecuteDeleteAsync(cancellationToken);
    }
}
