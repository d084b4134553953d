using System.Collections.Frozen;
using Microsoft.Extensions.DependencyInjection;
using MassTransit;
using MassTransit.Saga;
using Microsoft.EntityFrameworkCore;
using Shop.Messaging.EntityFrameworkCore.Storage;

namespace Shop.Messaging.EntityFrameworkCore.Sagas;

/// <summary>
/// Resolved in the consume scope, so it shares the scope's <typeparamref name="TDbContext"/> with the inbox/outbox:
/// when their transaction is open the saga joins it; otherwise it runs in a transaction of its own.
/// </summary>
sealed class DurableSagaRepositoryContextFactory<TDbContext, TSaga>(
    TDbContext db,
    ISagaConsumeContextFactory<DbContext, TSaga> consumeContextFactory,
    SagaLoader<TSaga> loader,
    DeferredInboxClaim<TDbContext> claims)
    : ISagaRepositoryContextFactory<TSaga>, IQuerySagaRepositoryContextFactory<TSaga>, ILoadSagaRepositoryContextFactory<TSaga>
    where TDbContext : DbContext
    where TSaga : class, ISaga
{
    public async Task Send<T>(ConsumeContext<T> context, IPipe<SagaRepositoryContext<TSaga, T>> next) where T : class
    {
        // The consume's inbox claim, left to us by the outbox, travels with the instance's load; a duplicate runs nothing.
        DurableSagaRepositoryContext<TSaga, T>.Preloaded? preloaded = null;
        if (claims.Waiting)
        {
            var cancellationToken = context.CancellationToken;
            var dialect = DurableStoreDialect.For(db);
            if (context.CorrelationId is { } correlationId && claims.Take() is { } claim)
            {
                var (outcome, instance) = await loader.ClaimAndLoad(db, dialect, claim, correlationId, cancellationToken);
                claims.Claimed(outcome);
                if (outcome.ConsumedBefore is not null)
                    return;
                preloaded = new(correlationId, instance);
            }
            else if ((await claims.Resolve(db, dialect, cancellationToken)).ConsumedBefore is not null)
                return;
        }

        await InTransaction(context.CancellationToken,
            () => next.Send(new DurableSagaRepositoryContext<TSaga, T>(db, context, consumeContextFactory, loader,
                storeSaves: CommitWithLastBatch.EndsWithSave(db), preloaded)));
    }

    public async Task SendQuery<T>(ConsumeContext<T> context, ISagaQuery<TSaga> query, IPipe<SagaRepositoryQueryContext<TSaga, T>> next)
        where T : class
    {
        if (claims.Waiting && (await claims.Resolve(db, DurableStoreDialect.For(db), context.CancellationToken)).ConsumedBefore is not null)
            return;

        await InTransaction(context.CancellationToken, async () =>
        {
            var ids = await db.Set<TSaga>().AsNoTracking().Where(query.FilterExpression).Select(x => x.CorrelationId)
                .ToListAsync(context.CancellationToken);

            var repositoryContext = new DurableSagaRepositoryContext<TSaga, T>(db, context, consumeContextFactory, loader);
            var instances = new List<TSaga>(ids.Count);
            foreach (var id in ids)
            {
                if (await loader.LoadForUpdate(db, id, context.CancellationToken) is { } instance)
                    instances.Add(instance);
            }

            await next.Send(new LoadedSagaRepositoryQueryContext<TSaga, T>(repositoryContext, instances));
        });
    }

    public Task<T> Execute<T>(Func<LoadSagaRepositoryContext<TSaga>, Task<T>> asyncMethod, CancellationToken cancellationToken = default)
        where T : class =>
        asyncMethod(new DurableSagaQueryContext<TSaga>(db, cancellationToken));

    public Task<T> Execute<T>(Func<QuerySagaRepositoryContext<TSaga>, Task<T>> asyncMethod, CancellationToken cancellationToken = default)
        where T : class =>
        asyncMethod(new DurableSagaQueryContext<TSaga>(db, cancellationToken));

    public void Probe(ProbeContext context) => context.Add("persistence", "shop-durable-store");

    async Task InTransaction(CancellationToken cancellationToken, Func<Task> work)
    {
        if (db.Database.CurrentTransaction is not null)
        {
            await work();
            return;
        }

        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        await work();
        await transaction.CommitAsync(cancellationToken);
    }
}

sealed class DurableSagaRepositoryRegistrationProvider<TDbContext> : MassTransit.Configuration.ISagaRepositoryRegistrationProvider
    where TDbContext : DbContext
{
    public void Configure<TSaga>(ISagaRegistrationConfigurator<TSaga> configurator) where TSaga : class, ISaga =>
        configurator.Repository(r =>
        {
            r.AddSingleton<SagaLoader<TSaga>>();
            r.AddSingleton(new DurableSagaType(TypeCache<TSaga>.ShortName));
            MassTransit.Configuration.RegistrationServiceCollectionExtensions
                .RegisterSagaRepository<TSaga, DbContext, SagaConsumeContextFactory<DbContext, TSaga>, DurableSagaRepositoryContextFactory<TDbContext, TSaga>>(r);
            MassTransit.Configuration.RegistrationServiceCollectionExtensions
                .RegisterQuerySagaRepository<TSaga, DurableSagaRepositoryContextFactory<TDbContext, TSaga>>(r);
            MassTransit.Configuration.RegistrationServiceCollectionExtensions
                .RegisterLoadSagaRepository<TSaga, DurableSagaRepositoryContextFactory<TDbContext, TSaga>>(r);
        });
}

/// <summary>A saga kept by the durable store, named as the outbox's consume options name it.</summary>
sealed record DurableSagaType(string ShortName);

/// <summary>The sagas kept by the durable store: the outbox leaves their inbox claims to the saga repository.</summary>
sealed class DurableSagaTypes(IEnumerable<DurableSagaType> sagas)
{
    readonly FrozenSet<string> _names = sagas.Select(s => s.ShortName).ToFrozenSet(StringComparer.Ordinal);

    public bool Contains(string? consumerType) => consumerType is not null && _names.Contains(consumerType);
}
