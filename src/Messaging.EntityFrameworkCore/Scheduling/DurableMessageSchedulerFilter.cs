using MassTransit;
using MassTransit.Configuration;
using MassTransit.Context;
using MassTransit.Middleware;
using MassTransit.Middleware.Outbox;
using MassTransit.Scheduling;
using Microsoft.EntityFrameworkCore;
using Shop.Messaging.EntityFrameworkCore.Storage;
using Microsoft.Extensions.DependencyInjection;
using Shop.Messaging.EntityFrameworkCore.Outbox;

namespace Shop.Messaging.EntityFrameworkCore.Scheduling;

/// <summary>
/// Gives every consume context a scheduler backed by the durable store. Inside a consumer's transaction the
/// scheduled message joins that transaction; elsewhere (scheduled redelivery, which runs outside it) it is
/// written and committed on its own before the delivery is acknowledged.
/// </summary>
sealed class DurableMessageSchedulerFilter<TDbContext>(IServiceProvider services) : IFilter<ConsumeContext>
    where TDbContext : DbContext
{
    public Task Send(ConsumeContext context, IPipe<ConsumeContext> next)
    {
        context.GetOrAddPayload<MessageSchedulerContext>(() => new ConsumeMessageSchedulerContext(context, CreateScheduler));
        return next.Send(context);
    }

    IMessageScheduler CreateScheduler(ConsumeContext context)
    {
        var topology = context.GetPayload<IBusTopology>();

        if (context is IDurableOutboxTransaction { IsTransactionActive: true } transaction)
            return new MessageScheduler(new DurableScheduleMessageProvider(context, transaction.Db, forgetHeld: transaction.ForgetHeldSchedule), topology);

        return new MessageScheduler(new StandaloneScheduleMessageProvider<TDbContext>(services), topology);
    }

    public void Probe(ProbeContext context)
    {
        var scope = context.CreateFilterScope("scheduler");
        scope.Add("type", "shop-durable-store");
    }
}

/// <summary>Schedules in a short transaction of its own, for callers that have none.</summary>
sealed class StandaloneScheduleMessageProvider<TDbContext>(IServiceProvider services) : IScheduleMessageProvider
    where TDbContext : DbContext
{
    public async Task<ScheduledMessage<T>> ScheduleSend<T>(Uri destinationAddress, DateTime scheduledTime, T message, IPipe<SendContext<T>> pipe,
        CancellationToken cancellationToken) where T : class
    {
        await using var scope = services.CreateAsyncScope();
        var (provider, db) = Create(scope.ServiceProvider);
        return await provider.ScheduleSend(destinationAddress, scheduledTime, message, pipe, cancellationToken);
    }

    public async Task CancelScheduledSend(Guid tokenId, CancellationToken cancellationToken)
    {
        await using var scope = services.CreateAsyncScope();
        await Create(scope.ServiceProvider).Provider.CancelScheduledSend(tokenId, cancellationToken);
    }

    public Task CancelScheduledSend(Uri destinationAddress, Guid tokenId, CancellationToken cancellationToken) =>
        CancelScheduledSend(tokenId, cancellationToken);

    static (DurableScheduleMessageProvider Provider, TDbContext Db) Create(IServiceProvider scoped)
    {
        var db = scoped.GetRequiredService<TDbContext>();
        var bus = scoped.GetRequiredService<IBus>();
        var outbox = new DurableScopedBusContext(bus, db, scoped.GetRequiredService<DatabaseClock<TDbContext>>(),
            scoped.GetRequiredService<IClientFactory>(), scoped, afterCommitLease: null);
        return (new DurableScheduleMessageProvider(outbox.SendEndpointProvider, db, token => db.SaveChangesAsync(token)), db);
    }
}

sealed class DurableMessageSchedulerSpecification<TDbContext>(IServiceProvider services) : IPipeSpecification<ConsumeContext>
    where TDbContext : DbContext
{
    public void Apply(IPipeBuilder<ConsumeContext> builder) => builder.AddFilter(new DurableMessageSchedulerFilter<TDbContext>(services));

    public IEnumerable<ValidationResult> Validate() => [];
}
