using System.Data.Common;
using System.Runtime.CompilerServices;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Shop.Messaging.EntityFrameworkCore.Delivery;
using Shop.Messaging.EntityFrameworkCore.Storage;

namespace Shop.Messaging.EntityFrameworkCore.Outbox;

/// <summary>
/// Wakes the delivery service when outbox rows become visible: after <c>SaveChanges</c> when it committed on its
/// own, or after the commit of the explicit transaction it ran in. A rolled-back transaction wakes nobody.
/// </summary>
public sealed class OutboxCommitInterceptor<TDbContext>(OutboxDeliverySignal<TDbContext> signal) : ISaveChangesInterceptor, IDbTransactionInterceptor
    where TDbContext : DbContext
{
    sealed class Pending { public bool Value; }

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

    public void TransactionCommitted(DbTransaction transaction, TransactionEndEventData eventData) => Committed(eventData.Context);

    public Task TransactionCommittedAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        Committed(eventData.Context);
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

        foreach (var entry in db.ChangeTracker.Entries<OutboxState>())
        {
            if (entry.State == EntityState.Added)
            {
                _pendingCommit.GetOrCreateValue(db).Value = true;
                return;
            }
        }
    }

    void Saved(DbContext? db)
    {
        if (db is not null && db.Database.CurrentTransaction is null)
            Committed(db);
    }

    void Committed(DbContext? db)
    {
        if (db is not null && _pendingCommit.TryGetValue(db, out var pending) && pending.Value)
        {
            pending.Value = false;
            signal.Notify();
        }
    }

    void Forget(DbContext? db)
    {
        if (db is not null && _pendingCommit.TryGetValue(db, out var pending))
            pending.Value = false;
    }
}
