using System.Data.Common;
using System.Runtime.CompilerServices;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Shop.Messaging.EntityFrameworkCore.Delivery;
using Shop.Messaging.EntityFrameworkCore.Storage;

namespace Shop.Messaging.EntityFrameworkCore.Outbox;

/// <summary>
/// Acts when outbox rows become visible: after <c>SaveChanges</c> when it committed on its own, or after the commit of
/// the explicit transaction it ran in. Units written for delivery after commit are handed to
/// <see cref="AfterCommitDelivery{TDbContext}"/> in the background (the committing request does not wait for the
/// broker); anything else (schedules), or everything when <c>DeliverAfterCommit</c> is off, wakes the delivery service.
/// Only units that a successful <c>SaveChanges</c> wrote count: a failed or cancelled save, a rolled-back transaction
/// and a transaction that ends without commit (a pooled context returned mid-way) leave nothing to send.
/// </summary>
public sealed class OutboxCommitInterceptor<TDbContext>(
    OutboxDeliverySignal<TDbContext> signal,
    DatabaseClock<TDbContext> clock,
    IOptions<DurableStoreOptions> options,
    IServiceProvider services) : ISaveChangesInterceptor, IDbTransactionInterceptor
    where TDbContext : DbContext
{
    sealed class Pending
    {
        /// <summary>The transaction <see cref="Saved"/> was written in (null: SaveChanges's own).</summary>
        public Guid? TransactionId;

        /// <summary>Written by successful saves, visible once <see cref="TransactionId"/> commits.</summary>
        public List<OutboxUnit> Saved = [];

        /// <summary>In the save under way; they count only if it succeeds.</summary>
        public List<OutboxUnit> Saving = [];
    }

    readonly ConditionalWeakTable<DbContext, Pending> _pending = new();
    readonly TimeSpan? _lease = options.Value.AfterCommitLeaseOrNull;
    readonly TimeSpan _pollInterval = options.Value.PollInterval;

    public InterceptionResult<int> SavingChanges(DbContextEventData eventData, InterceptionResult<int> result)
    {
        Saving(eventData.Context);
        return result;
    }

    public ValueTask<InterceptionResult<int>> SavingChangesAsync(DbContextEventData eventData, InterceptionResult<int> result,
        CancellationToken cancellationToken = default)
    {
        Saving(eventData.Context);
        return ValueTask.FromResult(result);
    }

    public int SavedChanges(SaveChangesCompletedEventData eventData, int result)
    {
        Saved(eventData.Context);
        return result;
    }

    public ValueTask<int> SavedChangesAsync(SaveChangesCompletedEventData eventData, int result, CancellationToken cancellationToken = default)
    {
        Saved(eventData.Context);
        return ValueTask.FromResult(result);
    }

    public void SaveChangesFailed(DbContextErrorEventData eventData) => NotSaved(eventData.Context);

    public Task SaveChangesFailedAsync(DbContextErrorEventData eventData, CancellationToken cancellationToken = default)
    {
        NotSaved(eventData.Context);
        return Task.CompletedTask;
    }

    public void SaveChangesCanceled(DbContextEventData eventData) => NotSaved(eventData.Context);

    public Task SaveChangesCanceledAsync(DbContextEventData eventData, CancellationToken cancellationToken = default)
    {
        NotSaved(eventData.Context);
        return Task.CompletedTask;
    }

    public InterceptionResult TransactionCommitting(DbTransaction transaction, TransactionEventData eventData, InterceptionResult result)
    {
        RenewLeases(eventData.Context, transaction, eventData.TransactionId, CancellationToken.None).GetAwaiter().GetResult();
        return result;
    }

    public async ValueTask<InterceptionResult> TransactionCommittingAsync(DbTransaction transaction, TransactionEventData eventData,
        InterceptionResult result, CancellationToken cancellationToken = default)
    {
        await RenewLeases(eventData.Context, transaction, eventData.TransactionId, cancellationToken);
        return result;
    }

    public void TransactionCommitted(DbTransaction transaction, TransactionEndEventData eventData) =>
        Committed(eventData.Context, eventData.TransactionId);

    public Task TransactionCommittedAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        Committed(eventData.Context, eventData.TransactionId);
        return Task.CompletedTask;
    }

    public void TransactionRolledBack(DbTransaction transaction, TransactionEndEventData eventData) => Forget(eventData.Context);

    public Task TransactionRolledBackAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        Forget(eventData.Context);
        return Task.CompletedTask;
    }

    public void TransactionFailed(DbTransaction transaction, TransactionErrorEventData eventData) => Forget(eventData.Context);

    public Task TransactionFailedAsync(DbTransaction transaction, TransactionErrorEventData eventData, CancellationToken cancellationToken = default)
    {
        Forget(eventData.Context);
        return Task.CompletedTask;
    }

    /// <summary>
    /// The caller sends what <paramref name="db"/>'s open transaction wrote itself, right after the commit: a wake-up
    /// would only start a delivery round that competes with it for the same rows.
    /// </summary>
    public void LeaveToCaller(DbContext db) => Forget(db);

    /// <summary>
    /// Renews the after-commit lease of <paramref name="units"/> in <paramref name="db"/>'s open transaction when it was
    /// stamped long enough ago to matter: a lease runs from the commit, not from when the unit was written.
    /// </summary>
    public Task RenewLeases(DbContext db, IEnumerable<OutboxUnit> units, CancellationToken cancellationToken) =>
        db.Database.CurrentTransaction is { } transaction
            ? RenewLeases(db, transaction.GetDbTransaction(), units, cancellationToken)
            : Task.CompletedTask;

    void Saving(DbContext? db)
    {
        if (db is null)
            return;

        // Rows the store held back join a save the consumer makes itself, as they always did.
        CommitWithLastBatch.Saving(db);

        var pending = _pending.GetOrCreateValue(db);
        var transactionId = db.Database.CurrentTransaction?.TransactionId;
        if (pending.TransactionId != transactionId)
        {
            // Whatever an earlier transaction saved and never committed is not in the table.
            pending.Saved = [];
            pending.TransactionId = transactionId;
        }

        pending.Saving = [];
        var now = clock.GetUtcNow().UtcDateTime;
        // A save without a transaction, or one that carries its transaction's commit, is the commit.
        var commits = transactionId is null || CommitWithLastBatch.IsCommitting(db);

        // Units are added, never found by detecting changes; the save detects them once more anyway. Entries() with
        // detection on scanned every tracked entity a second time per save (4 % of the process in the order flow).
        var detect = db.ChangeTracker.AutoDetectChangesEnabled;
        db.ChangeTracker.AutoDetectChangesEnabled = false;
        try
        {
            foreach (var entry in db.ChangeTracker.Entries<OutboxMessage>())
            {
                // A unit's messages are added together: its first one stands for the unit.
                if (entry.State != EntityState.Added || entry.Entity is not { Unit: { } unit } message || unit.Messages[0] != message)
                    continue;

                if (unit.SentAfterCommit && _lease is { } lease && commits)
                    unit.DueTime = now + lease; // the lease starts now, by the database's clock
                pending.Saving.Add(unit);
            }
        }
        finally
        {
            db.ChangeTracker.AutoDetectChangesEnabled = detect;
        }
    }

    void Saved(DbContext? db)
    {
        if (db is null || !_pending.TryGetValue(db, out var pending))
            return;

        foreach (var unit in pending.Saving)
            unit.Persisted = true;
        pending.Saved.AddRange(pending.Saving);
        pending.Saving = [];

        if (db.Database.CurrentTransaction is null)
            Committed(db, null);
    }

    void NotSaved(DbContext? db)
    {
        // Nothing of the failed save is in the table: without a transaction nothing committed, inside one EF Core
        // rolled back to its savepoint (or the database doomed the transaction).
        if (db is not null && _pending.TryGetValue(db, out var pending))
            pending.Saving = [];
    }

    Task RenewLeases(DbContext? db, DbTransaction transaction, Guid transactionId, CancellationToken cancellationToken) =>
        db is not null && _pending.TryGetValue(db, out var pending) && pending.TransactionId == transactionId
            ? RenewLeases(db, transaction, pending.Saved, cancellationToken)
            : Task.CompletedTask;

    async Task RenewLeases(DbContext db, DbTransaction transaction, IEnumerable<OutboxUnit> units, CancellationToken cancellationToken)
    {
        if (_lease is not { } lease)
            return;

        var dueTime = clock.GetUtcNow().UtcDateTime + lease;
        // A lease a second short costs nothing; a round trip per commit would.
        var stale = units.Where(unit => unit.SentAfterCommit && unit.Persisted && dueTime - unit.DueTime > RenewalThreshold).ToList();
        if (stale.Count == 0)
            return;

        var dialect = DurableStoreDialect.For(db);
        await using var command = transaction.Connection!.CreateCommand();
        command.Transaction = transaction;
        var ids = string.Join(", ", stale.Select((_, i) => "@id" + i));
        command.CommandText = $"UPDATE {dialect.TableName<OutboxMessage>(db)} SET due_time = @due_time WHERE outbox_id IN ({ids})";
        AddParameter(command, "due_time", dialect.Parameter(dueTime));
        for (var i = 0; i < stale.Count; i++)
            AddParameter(command, "id" + i, dialect.Parameter(stale[i].OutboxId));
        await command.ExecuteNonQueryAsync(cancellationToken);

        foreach (var unit in stale)
            unit.DueTime = dueTime;
    }

    static readonly TimeSpan RenewalThreshold = TimeSpan.FromSeconds(1);

    static void AddParameter(DbCommand command, string name, object? value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value ?? DBNull.Value;
        command.Parameters.Add(parameter);
    }

    void Committed(DbContext? db, Guid? transactionId)
    {
        if (db is null || !_pending.TryGetValue(db, out var pending))
            return;

        // SaveChanges's own transaction commits before its SavedChanges, which hands the units over.
        if (pending.TransactionId is null && transactionId is not null)
            return;

        var units = pending.Saved;
        var savedIn = pending.TransactionId;
        Forget(db);

        // Saved in a transaction that never committed: nothing of it is in the table.
        if (units.Count == 0 || savedIn != transactionId)
            return;

        var mine = units.Where(unit => unit.SentAfterCommit).ToList();
        // Others' units due before the delivery service's next poll need it now; later schedules wait for a poll.
        var nextPoll = clock.GetUtcNow().UtcDateTime + _pollInterval;
        if (units.Any(unit => !unit.SentAfterCommit && unit.DueTime < nextPoll))
            signal.Notify();

        if (mine.Count > 0)
            _ = Task.Run(() => DeliverInBackground(mine));
    }

    async Task DeliverInBackground(IReadOnlyList<OutboxUnit> units)
    {
        try
        {
            // Resolved on use rather than injected, so that building the DbContext's interceptors never builds the bus.
            if (await services.GetRequiredService<AfterCommitDelivery<TDbContext>>().Deliver(units, CancellationToken.None))
                return;
        }
        catch (Exception exception) when (exception is ObjectDisposedException or InvalidOperationException)
        {
            // The host is stopping; the rows wait for the delivery service.
        }

        signal.Notify();
    }

    void Forget(DbContext? db)
    {
        if (db is not null && _pending.TryGetValue(db, out var pending))
        {
            pending.Saved = [];
            pending.Saving = [];
            pending.TransactionId = null;
        }
    }
}
