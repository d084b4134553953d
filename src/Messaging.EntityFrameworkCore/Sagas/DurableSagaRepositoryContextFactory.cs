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
    SagaLoader<TSaga> loader)
    : ISagaRepositoryContextFactory<TSaga>, IQuerySagaRepositoryContextFactory<TSaga>, ILoadSagaRepositoryContextFactory<TSaga>
    where TDbContext : DbContext
    where TSaga : class, ISaga
{
    public Task Send<T>(ConsumeContext<T> context, IPipe<SagaRepositoryContext<TSaga, T>> next) where T : class =>
        InTransaction(context.CancellationToken,
            () => next.Send(new DurableSagaRepositoryContext<TSaga, T>(db, context, consumeContextFactory, loader,
                storeSaves: CommitWithLastBatch.EndsWithSave(db))));

    public Task SendQuery<T>(ConsumeContext<T> context, ISagaQuery<TSaga> query, IPipe<SagaRepositoryQueryContext<TSaga, T>> next)
        where T : class =>
        InTransaction(context.CancellationToken, async () =>
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
            MassTransit.Configuration.RegistrationServiceCollectionExtensions
                .RegisterSagaRepository<TSaga, DbContext, SagaConsumeContextFactory<DbContext, TSaga>, DurableSagaRepositoryContextFactory<TDbContext, TSaga>>(r);
            MassTransit.Configuration.RegistrationServiceCollectionExtensions
                .RegisterQuerySagaRepository<TSaga, DurableSagaRepositoryContextFactory<TDbContext, TSaga>>(r);
            MassTransit.Configuration.RegistrationServiceCollectionExtensions
                .RegisterLoadSagaRepository<TSaga, DurableSagaRepositoryContextFactory<TDbContext, TSaga>>(r);
        });
}
