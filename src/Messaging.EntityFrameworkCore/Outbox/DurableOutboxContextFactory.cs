using System.Diagnostics;
using MassTransit;
using MassTransit.Middleware;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Shop.Messaging.EntityFrameworkCore.Delivery;
using Shop.Messaging.EntityFrameworkCore.Sagas;
using Shop.Messaging.EntityFrameworkCore.Storage;

namespace Shop.Messaging.EntityFrameworkCore.Outbox;

/// <summary>
/// Runs a consumer inside one database transaction that also holds its inbox row and its outgoing messages:
/// claim the inbox row (written as consumed: it commits with the consumer's changes or not at all), consume, record
/// the outbox rows, commit. A message whose inbox row says it was consumed already is acknowledged without running
/// the consumer.
/// </summary>
sealed class DurableOutboxContextFactory<TDbContext>(
    TDbContext db,
    IServiceProvider provider,
    OutboxDeliverySignal<TDbContext> signal,
    AfterCommitDelivery<TDbContext> afterCommit,
    OutboxCommitInterceptor<TDbContext> commitInterceptor,
    ConsumerTransactionGate<TDbContext> gate,
    GroupCommit<TDbContext> group,
    IOptions<DurableStoreOptions> options,
    DurableStoreMetrics metrics,
    DatabaseClock<TDbContext> time,
    DeferredInboxClaim<TDbContext> deferredClaim,
    DurableSagaTypes sagaTypes,
    ILogger<DurableOutboxContextFactory<TDbContext>> logger) : IOutboxContextFactory<TDbContext>
    where TDbContext : DbContext
{
    readonly DurableStoreDialect _dialect = DurableStoreDialect.For(db);
    readonly TimeSpan? _afterCommitLease = options.Value.AfterCommitLeaseOrNull;
    readonly TimeSpan _pollInterval = options.Value.PollInterval;

    public async Task Send<T>(ConsumeContext<T> context, OutboxConsumeOptions options, IPipe<OutboxConsumeContext<T>> next)
        where T : class
    {
        var messageId = context.GetOriginalMessageId() ?? throw new MessageException(typeof(T), "The inbox needs a MessageId on every message.");
        if (ConsumerAttributes.ConsumesOutsideTransaction(options.ConsumerType))
        {
            await SendOutsideTransaction(context, options, next, messageId);
            return;
        }

        var cancellationToken = context.CancellationToken;

        // A retry may reuse this scope: start from a clean slate rather than from what the failed attempt tracked.
        db.ChangeTracker.Clear();

        // The whole consume is one transaction that rolls back as a unit; per-SaveChanges savepoints only add round trips.
        db.Database.AutoSavepointsEnabled = false;

        // On PostgreSQL the outbox rows are held and written by hand with the last save, unless the consumer saves first.
        var recorder = new OutboxRecorder(db, time, _afterCommitLease, hold: _dialect.WritesOutboxByHand);

        // A fresh message to a consumer with no effect outside the transaction: its claim goes with the commit, and a
        // duplicate shows as the commit's failure (then the inbox says so). Anything that looks like a second try claims first.
        var claimAtCommit = _dialect.ClaimsInLastBatch && ConsumerAttributes.ClaimsAtCommit(options.ConsumerType) && FirstTry(context);
        var claimRequest = new InboxClaim.Request(messageId, options.ConsumerId, time.GetUtcNow().UtcDateTime);

        DurableOutboxConsumeContext<T> outboxContext;
        try
        {
            outboxContext = await ConsumeInTransaction(context, options, next, claimRequest, recorder, claimAtCommit);
        }
        catch (Exception) when (claimAtCommit && !cancellationToken.IsCancellationRequested)
        {
            // Whether the consumer failed or the claim found its row (and the batch with it rolled back), a delivery that
            // committed first makes this one a duplicate; otherwise the failure is the consumer's own, and a retry claims
            // first. (Should anything fail after this delivery's own commit, its row says consumed and the delivery
            // service sends what it wrote.)
            var consumedBefore = await InboxClaim.CountIfConsumed(db, _dialect, messageId, options.ConsumerId, CancellationToken.None);
            if (consumedBefore is null)
                throw;

            db.ChangeTracker.Clear();
            Duplicate(TypeCache<T>.ShortName, options, messageId, consumedBefore.Value);
            await next.Send(new DurableOutboxConsumeContext<T>(context, options, provider, db, recorder, Nothing, alreadyConsumed: true));
            return;
        }

        if (outboxContext.HasOutgoingMessages)
        {
            // Sent before the consumed message is acknowledged: a crash in between leaves the rows to the delivery service.
            // Only what a save wrote: a consumer that caught its own failed save and went on left the rest unwritten.
            var delivered = _afterCommitLease is not null
                && await afterCommit.Deliver(recorder.ImmediateUnits.Where(unit => unit.Persisted).ToList(), cancellationToken);
            if (!delivered || ScheduledBeforeNextPoll(recorder))
                signal.Notify();
        }

        if (outboxContext.IsMessageConsumed)
        {
            // Duplicate: let the pipe acknowledge it.
            await next.Send(outboxContext);
            return;
        }

        // Consumed and committed: the pipe's second pass finds the message consumed and the outbox handed over.
        var completed = new DurableOutboxConsumeContext<T>(context, options, provider, db, recorder, Nothing, alreadyConsumed: true);
        completed.Complete();
        await next.Send(completed);
    }

    /// <summary>
    /// Claims the inbox row (first, with the saga's load, or with the commit), runs the consumer and commits, holding a
    /// slot of the gate and a connection throughout; returns the context the consumer saw.
    /// </summary>
    async Task<DurableOutboxConsumeContext<T>> ConsumeInTransaction<T>(ConsumeContext<T> context, OutboxConsumeOptions options,
        IPipe<OutboxConsumeContext<T>> next, InboxClaim.Request claimRequest, OutboxRecorder recorder, bool claimAtCommit)
        where T : class
    {
        var cancellationToken = context.CancellationToken;
        var timer = Stopwatch.StartNew();
        var messageId = claimRequest.MessageId;
        DurableOutboxConsumeContext<T> outboxContext;

        // The connection goes back to the pool with the slot; the sends after the commit need neither.
        using (await gate.Enter(db, cancellationToken))
        {
            try
            {
                await using (var transaction = await db.Database.BeginTransactionAsync(cancellationToken))
                {
                    CommitWithLastBatch.Begin(db, recorder.Attach);

                    // A saga's first work is its instance's load: the claim goes with it, one round trip for both.
                    var deferClaim = _dialect.LoadsSagasByHand && sagaTypes.Contains(options.ConsumerType);
                    InboxClaim.Outcome? claim = null;
                    if (claimAtCommit)
                        claim = new InboxClaim.Outcome(ConsumedBefore: null, NeedsMark: false);
                    else if (deferClaim)
                        deferredClaim.Defer(claimRequest);
                    else
                        claim = await InboxClaim.Claim(db, _dialect, claimRequest, cancellationToken);
                    var consumed = claim?.ConsumedBefore;
                    var committed = false;

                    // The consumer's last save: the inbox mark (when the row needs one), its changes and outbox rows,
                    // and the commit, in one round trip where the provider allows it.
                    async Task SaveAndCommit()
                    {
                        claim ??= await deferredClaim.Resolve(db, _dialect, cancellationToken);
                        if (claim.Value.NeedsMark)
                            MarkConsumed(messageId, options.ConsumerId);
                        if (_afterCommitLease is not null)
                            await commitInterceptor.RenewLeases(db, recorder.ImmediateUnits, cancellationToken);
                        if (claimAtCommit)
                            InboxClaim.DeferToCommit(db, _dialect, claimRequest);
                        if (_dialect.WritesOutboxByHand)
                            recorder.DeferHeld(_dialect, time.GetUtcNow().UtcDateTime + _afterCommitLease);
                        committed = await CommitWithLastBatch.SaveChangesAndCommit(db, logger, cancellationToken, claimAtCommit ? group : null);
                        recorder.Written();
                    }

                    outboxContext = new DurableOutboxConsumeContext<T>(context, options, provider, db, recorder, SaveAndCommit,
                        alreadyConsumed: consumed.HasValue);

                    if (consumed.HasValue)
                        Duplicate(TypeCache<T>.ShortName, options, messageId, consumed.Value);
                    else
                    {
                        try
                        {
                            await next.Send(outboxContext);
                        }
                        finally
                        {
                            outboxContext.Complete();
                        }

                        // The saga repository found the claim's row consumed and ran nothing.
                        if (deferClaim && deferredClaim.Outcome?.ConsumedBefore is { } before)
                            Duplicate(TypeCache<T>.ShortName, options, messageId, before);
                    }

                    // A consume that never marked itself consumed still owes its claim: the last save sends it.
                    if (!committed && claimAtCommit)
                        await SaveAndCommit();

                    if (_afterCommitLease is not null)
                        commitInterceptor.LeaveToCaller(db);

                    if (!committed)
                    {
                        claim ??= await deferredClaim.Resolve(db, _dialect, cancellationToken);
                        if (_afterCommitLease is not null)
                            await commitInterceptor.RenewLeases(db, recorder.ImmediateUnits, cancellationToken);

                        try
                        {
                            await transaction.CommitAsync(cancellationToken);
                        }
                        catch (Exception exception)
                        {
                            await context.NotifyFaulted(timer.Elapsed, TypeCache<T>.ShortName, exception);
                            throw;
                        }
                    }
                }
            }
            finally
            {
                CommitWithLastBatch.End(db);
                await db.Database.CloseConnectionAsync();
            }
        }

        return outboxContext;
    }

    /// <summary>
    /// <see cref="ConsumesOutsideTransactionAttribute"/>: the consumer runs with no transaction open; its messages are
    /// held in memory, and when it returns one short transaction claims the inbox row and writes them with its last
    /// changes. A concurrent duplicate that claimed the row first wins: this delivery's messages are dropped.
    /// </summary>
    async Task SendOutsideTransaction<T>(ConsumeContext<T> context, OutboxConsumeOptions options, IPipe<OutboxConsumeContext<T>> next,
        Guid messageId)
        where T : class
    {
        var cancellationToken = context.CancellationToken;
        db.ChangeTracker.Clear();

        var consumedBefore = await InboxClaim.CountIfConsumed(db, _dialect, messageId, options.ConsumerId, cancellationToken);
        var recorder = new OutboxRecorder(db, time, _afterCommitLease, hold: true);
        var committed = false;
        if (consumedBefore is null)
        {
            var outboxContext = new DurableOutboxConsumeContext<T>(context, options, provider, db, recorder,
                async () => consumedBefore = await CommitAfterConsumer(recorder, messageId, options, cancellationToken), alreadyConsumed: false,
                inTransaction: false);
            try
            {
                await next.Send(outboxContext);
            }
            finally
            {
                outboxContext.Complete();
            }

            committed = consumedBefore is null;
        }

        if (!committed)
        {
            metrics.DuplicateDetected(options.ConsumerType);
            logger.LogInformation("Duplicate {MessageType} {MessageId} for {Consumer} ignored; consumed at {Consumed}",
                TypeCache<T>.ShortName, messageId, options.ConsumerType, consumedBefore);
        }
        else if (recorder.HasMessages)
        {
            var delivered = _afterCommitLease is not null
                && await afterCommit.Deliver(recorder.ImmediateUnits.Where(unit => unit.Persisted).ToList(), cancellationToken);
            if (!delivered || ScheduledBeforeNextPoll(recorder))
                signal.Notify();
        }

        var completed = new DurableOutboxConsumeContext<T>(context, options, provider, db, recorder, Nothing, alreadyConsumed: true);
        completed.Complete();
        await next.Send(completed);
    }

    /// <summary>Claims the inbox row and writes the held messages and the consumer's last changes; returns when an earlier delivery was consumed, if one was.</summary>
    async Task<DateTime?> CommitAfterConsumer(OutboxRecorder recorder, Guid messageId, OutboxConsumeOptions options, CancellationToken cancellationToken)
    {
        var request = new InboxClaim.Request(messageId, options.ConsumerId, time.GetUtcNow().UtcDateTime);
        using var slot = await gate.Enter(db, cancellationToken);
        // One short transaction that rolls back as a unit: a savepoint around its SaveChanges was two round trips for nothing.
        db.Database.AutoSavepointsEnabled = false;

        if (_dialect.ClaimsInLastBatch)
        {
            // The consumer has run already, so nothing is saved by claiming last: the claim, its last changes and its
            // messages go in one round trip, and a row already there stops the batch before its commit.
            try
            {
                await using var claimLast = await db.Database.BeginTransactionAsync(cancellationToken);
                InboxClaim.DeferToCommit(db, _dialect, request);
                await Commit(claimLast, group);
                return null;
            }
            catch (Exception exception) when (InboxClaim.IsUniqueViolation(exception))
            {
                // Rolled back. A copy that committed first wins (this one's messages are dropped); a row an older version
                // left unmarked, or a unique key of the consumer's own, goes the claim-first way below.
                if (await InboxClaim.CountIfConsumed(db, _dialect, messageId, options.ConsumerId, cancellationToken) is { } consumedBefore)
                {
                    db.ChangeTracker.Clear();
                    return consumedBefore;
                }
            }
        }

        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var claim = await InboxClaim.Claim(db, _dialect, request, cancellationToken);
        if (claim.ConsumedBefore is { } consumed)
        {
            await transaction.RollbackAsync(cancellationToken);
            db.ChangeTracker.Clear();
            return consumed;
        }

        if (claim.NeedsMark)
            MarkConsumed(messageId, options.ConsumerId);
        await Commit(transaction);
        return null;

        async Task Commit(IDbContextTransaction open, GroupCommit? withOthers = null)
        {
            if (_dialect.WritesOutboxByHand)
                recorder.DeferHeld(_dialect, time.GetUtcNow().UtcDateTime + _afterCommitLease);
            else
                recorder.Attach();
            var committed = await CommitWithLastBatch.SaveChangesAndCommit(db, logger, cancellationToken, withOthers);
            recorder.Written();
            if (_afterCommitLease is not null)
                commitInterceptor.LeaveToCaller(db);
            if (!committed)
                await open.CommitAsync(cancellationToken);
        }
    }

    // A saga step that schedules a timeout minutes ahead need not start a delivery round now: it cost a transaction
    // and three round trips per step, and the service's polls find the timeout in time (within one poll interval).
    bool ScheduledBeforeNextPoll(OutboxRecorder recorder) => recorder.HasScheduledBefore(time.GetUtcNow().UtcDateTime + _pollInterval);

    static Task Nothing() => Task.CompletedTask;

    // A redelivery is the likely duplicate (the broker's flag, SQS's receive count, our redelivery's header), a retry
    // follows a failure that may have been one: both claim first, as every consume did before the attribute.
    static bool FirstTry(ConsumeContext context) =>
        context.GetRetryAttempt() == 0 && context.GetRedeliveryCount() == 0 && !context.ReceiveContext.Redelivered;

    void Duplicate(string messageType, OutboxConsumeOptions options, Guid messageId, DateTime consumed)
    {
        metrics.DuplicateDetected(options.ConsumerType);
        logger.LogInformation("Duplicate {MessageType} {MessageId} for {Consumer} ignored; consumed at {Consumed}",
            messageType, messageId, options.ConsumerType, consumed);
    }

    /// <summary>Tracks an older inbox row as consumed, so the update travels in the same batch as the consumer's own changes.</summary>
    void MarkConsumed(Guid messageId, Guid consumerId)
    {
        var inbox = new InboxState { MessageId = messageId, ConsumerId = consumerId };
        db.Attach(inbox);
        inbox.Consumed = time.GetUtcNow().UtcDateTime;
    }

    public void Probe(ProbeContext context)
    {
        var scope = context.CreateFilterScope("outboxContextFactory");
        scope.Add("provider", "shop-durable-store");
    }
}
