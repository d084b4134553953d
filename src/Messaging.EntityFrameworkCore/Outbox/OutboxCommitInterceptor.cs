using System.Data.Common;
using System.Runtime.CompilerServices;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Shop.Messaging.EntityFrameworkCore.Delivery;
using Shop.Messaging.EntityFrameworkCore.Storage;

namespace Shop.Messaging.EntityFrameworkCore.Outbox;

/// <summary>
/// Acts when outbox rows become visible: after <c>SaveChanges</c> when it committed on its own, or after the commit of
/// the explicit transaction it ran in. Units written for delivery after commit are handed to
/// <see cref="AfterCommitDelivery{TDbContext}"/> in the background (the committing request does not wait for the
/// broker); anything else (schedules), or everything when <c>DeliverAfterCommit</c> is off, wakes the delivery service.
/// A rolled-back transaction wakes nobody.
/// </summary>
public sealed class OutboxCommitInterceptor<TDbContext>(
    OutboxDeliverySignal<TDbContext> signal,
    IServiceProvider services) : ISaveChangesInterceptor, IDbTransactionInterceptor
    where TDbContext : DbContext
{
    sealed class Pending
    {
        public bool Value;
        public List<OutboxState> Units = [];

        // A pooled DbContext outlives its scope, and a transaction disposed without commit or rollback raises no
        // event: units are only taken for the transaction they were saved in (null: SaveChanges's own).
        public Guid? TransactionId;
    }

    readonly ConditionalWeakTable<DbContext, Pending> _pendingCommit = new();

    public InterceptionResult<int> SavingChanges(DbContextEventData eventData, InterceptionResult<int> result)
    {
        Track(eventData.Context);
        return result;
    }

    public ValueTask<InterceptionResult<int>> SavingChangesAsync(DbContextEventData eventData, InterceptionResult<int> result,
        CancellationToken cancellationToken = default)
    {
        Track(eventData.Context);
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

    /// <summary>
    /// The caller sends what <paramref name="db"/>'s open transaction wrote itself, right after the commit: a wake-up
    /// would only start a delivery round that competes with it for the same rows.
    /// </summary>
    public void LeaveToCaller(DbContext db) => Forget(db);

    void Track(DbContext? db)
    {
        if (db is null)
            return;

        var transactionId = db.Database.CurrentTransaction?.TransactionId;
        foreach (var entry in db.ChangeTracker.Entries<OutboxState>())
        {
            if (entry.State == EntityState.Added)
            {
                var pending = _pendingCommit.GetOrCreateValue(db);
                if (pending.Value && pending.TransactionId != transactionId)
                    pending.Units = [];
                pending.TransactionId = transactionId;
                pending.Value = true;
                if (!pending.Units.Contains(entry.Entity))
                    pending.Units.Add(entry.Entity);
            }
        }
    }

    void Saved(DbContext? db)
    {
        if (db is not null && db.Database.CurrentTransaction is null)
            Committed(db, null);
    }

    void Committed(DbContext? db, Guid? transactionId)
    {
        if (db is null || !_pendingCommit.TryGetValue(db, out var pending) || !pending.Value)
            return;

        // Units saved outside an explicit transaction commit with SaveChanges's own (whatever its id).
        if (pending.TransactionId is { } savedIn && savedIn != transactionId)
        {
            // Saved in a transaction that never committed: nothing of it is in the table.
            Forget(db);
            return;
        }

        var units = pending.Units;
        pending.Value = false;
        pending.Units = [];

        var mine = units.Where(unit => unit.SentAfterCommit).ToList();
        if (mine.Count < units.Count)
            signal.Notify();

        if (mine.Count > 0)
            _ = Task.Run(() => DeliverInBackground(mine));
    }

    async Task DeliverInBackground(IReadOnlyList<OutboxState> units)
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
        if (db is not null && _pendingCommit.TryGetValue(db, out var pending))
        {
            pending.Value = false;
            pending.Units = [];
        }
    }
}
