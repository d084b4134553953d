using MassTransit;
using MassTransit.Context;
using MassTransit.Middleware;
using MassTransit.Saga;
using Microsoft.EntityFrameworkCore;

namespace Shop.Messaging.EntityFrameworkCore.Sagas;

/// <summary>Saga instances on the consumer's <see cref="DbContext"/>, so instance state commits with the inbox row and outgoing messages.</summary>
sealed class DurableSagaRepositoryContext<TSaga, TMessage> : ConsumeContextScope<TMessage>, SagaRepositoryContext<TSaga, TMessage>
    where TSaga : class, ISaga
    where TMessage : class
{
    readonly DbContext _db;
    readonly ConsumeContext<TMessage> _consumeContext;
    readonly ISagaConsumeContextFactory<DbContext, TSaga> _factory;
    readonly SagaLoader<TSaga> _loader;
    readonly bool _storeSaves;
    Preloaded? _preloaded;

    /// <summary>The instance (or its absence) as the inbox claim's command read it, locked: the first load of that id.</summary>
    public sealed record Preloaded(Guid CorrelationId, TSaga? Instance);

    /// <param name="storeSaves">
    /// The durable store's transaction is open and ends with a save of everything tracked: the instance's changes
    /// travel in that save's batch (with the inbox mark, the outbox rows and the commit) instead of one of their own.
    /// </param>
    /// <param name="preloaded">Read already, in this transaction, with the inbox claim.</param>
    public DurableSagaRepositoryContext(DbContext db, ConsumeContext<TMessage> consumeContext, ISagaConsumeContextFactory<DbContext, TSaga> factory,
        SagaLoader<TSaga> loader, bool storeSaves = false, Preloaded? preloaded = null)
        : base(consumeContext, db)
    {
        _db = db;
        _consumeContext = consumeContext;
        _factory = factory;
        _loader = loader;
        _storeSaves = storeSaves;
        _preloaded = preloaded;
    }

    public Task<SagaConsumeContext<TSaga, TMessage>> Add(TSaga instance) =>
        _factory.CreateSagaConsumeContext(_db, _consumeContext, instance, SagaConsumeContextMode.Add);

    public async Task<SagaConsumeContext<TSaga, TMessage>> Insert(TSaga instance)
    {
        // A failed insert means someone else's instance appeared after the preload: a load after it must read again.
        _preloaded = null;
        // A failed insert must not poison the surrounding transaction, which may hold other work of this message.
        var transaction = _db.Database.CurrentTransaction;
        const string savepoint = "saga_insert";
        if (transaction is not null)
            await transaction.CreateSavepointAsync(savepoint, CancellationToken);

        var entry = _db.Set<TSaga>().Add(instance);
        try
        {
            await _db.SaveChangesAsync(CancellationToken);
            return await _factory.CreateSagaConsumeContext(_db, _consumeContext, instance, SagaConsumeContextMode.Insert);
        }
        catch (DbUpdateException)
        {
            entry.State = EntityState.Detached;
            if (transaction is not null)
                await transaction.RollbackToSavepointAsync(savepoint, CancellationToken);
            return default!;
        }
    }

    public async Task<SagaConsumeContext<TSaga, TMessage>> Load(Guid correlationId)
    {
        var instance = _preloaded is { } preloaded && preloaded.CorrelationId == correlationId
            ? preloaded.Instance
            : await _loader.LoadForUpdate(_db, correlationId, CancellationToken);
        _preloaded = null;
        return instance is null
            ? default!
            : await _factory.CreateSagaConsumeContext(_db, _consumeContext, instance, SagaConsumeContextMode.Load);
    }

    public Task Save(SagaConsumeContext<TSaga> context)
    {
        _db.Set<TSaga>().Add(context.Saga);
        return SaveChanges();
    }

    public Task Update(SagaConsumeContext<TSaga> context) => SaveChanges();

    public Task Delete(SagaConsumeContext<TSaga> context)
    {
        _db.Set<TSaga>().Remove(context.Saga);
        return SaveChanges();
    }

    Task SaveChanges() => _storeSaves ? Task.CompletedTask : _db.SaveChangesAsync(CancellationToken);

    public Task Discard(SagaConsumeContext<TSaga> context) => Task.CompletedTask;

    public Task Undo(SagaConsumeContext<TSaga> context)
    {
        var entry = _db.ChangeTracker.Entries<TSaga>().FirstOrDefault(e => e.Entity.CorrelationId == context.Saga.CorrelationId);
        if (entry is not null)
            entry.State = EntityState.Unchanged;
        return Task.CompletedTask;
    }

    public Task<SagaConsumeContext<TSaga, T>> CreateSagaConsumeContext<T>(ConsumeContext<T> consumeContext, TSaga instance, SagaConsumeContextMode mode)
        where T : class =>
        _factory.CreateSagaConsumeContext(_db, consumeContext, instance, mode);
}

/// <summary>Read-only access for query and load repositories (no locks, no tracking).</summary>
sealed class DurableSagaQueryContext<TSaga>(DbContext db, CancellationToken cancellationToken)
    : BasePipeContext(cancellationToken), QuerySagaRepositoryContext<TSaga>, LoadSagaRepositoryContext<TSaga>
    where TSaga : class, ISaga
{
    public Task<TSaga> Load(Guid correlationId) =>
        db.Set<TSaga>().AsNoTracking().SingleOrDefaultAsync(x => x.CorrelationId == correlationId, CancellationToken)!;

    public async Task<SagaRepositoryQueryContext<TSaga>> Query(ISagaQuery<TSaga> query, CancellationToken cancellationToken)
    {
        var ids = await db.Set<TSaga>().AsNoTracking().Where(query.FilterExpression).Select(x => x.CorrelationId).ToListAsync(cancellationToken);
        return new DefaultSagaRepositoryQueryContext<TSaga>(this, ids);
    }
}
