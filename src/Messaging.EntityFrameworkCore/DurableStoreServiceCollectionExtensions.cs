using MassTransit;
using MassTransit.DependencyInjection;
using MassTransit.Middleware;
using MassTransit.Middleware.Outbox;
using MassTransit.Scheduling;
using Microsoft.EntityFrameworkCore;
using Shop.Messaging.EntityFrameworkCore.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Shop.Messaging.EntityFrameworkCore.Delivery;
using Shop.Messaging.EntityFrameworkCore.Inbox;
using Shop.Messaging.EntityFrameworkCore.Outbox;
using Shop.Messaging.EntityFrameworkCore.Sagas;
using Shop.Messaging.EntityFrameworkCore.Scheduling;

namespace Shop.Messaging.EntityFrameworkCore;

public static class DurableStoreServiceCollectionExtensions
{
    public const string SectionName = "Messaging:DurableStore";

    /// <summary>
    /// <see cref="ShopMessagingServiceCollectionExtensions.AddShopMessaging"/> with the durable store on
    /// <typeparamref name="TDbContext"/>: every consumer and saga gets the inbox and the transactional outbox, the
    /// scoped publish endpoint writes to the bus outbox, sagas persist in the same database and the scheduler is
    /// durable. The service registers <typeparamref name="TDbContext"/> itself and calls
    /// <c>modelBuilder.AddDurableMessaging()</c> in it.
    /// </summary>
    public static IServiceCollection AddShopMessaging<TDbContext>(this IServiceCollection services, IConfiguration configuration,
        Action<IBusRegistrationConfigurator> configure, Action<ShopMessagingBuilder>? extend = null)
        where TDbContext : DbContext =>
        services.AddShopMessaging(configuration, configure, builder =>
        {
            builder.UseDurableStore<TDbContext>();
            extend?.Invoke(builder);
        });

    public static ShopMessagingBuilder UseDurableStore<TDbContext>(this ShopMessagingBuilder builder)
        where TDbContext : DbContext
    {
        var services = builder.Services;
        var section = builder.Configuration.GetSection(SectionName);
        var options = section.Get<DurableStoreOptions>() ?? new DurableStoreOptions();
        services.Configure<DurableStoreOptions>(section);

        services.AddMetrics();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<OutboxDeliverySignal<TDbContext>>();
        services.TryAddSingleton<IBusOutboxNotification>(provider => provider.GetRequiredService<OutboxDeliverySignal<TDbContext>>());
        services.TryAddSingleton<DurableStoreMetrics>();
        services.TryAddSingleton<OutboxMessageSender>();
        services.TryAddSingleton<AfterCommitDelivery<TDbContext>>();
        services.TryAddSingleton<SentOutboxDeletes<TDbContext>>();
        services.TryAddSingleton<OutboxCommitInterceptor<TDbContext>>();
        services.TryAddSingleton<ConsumerTransactionGate<TDbContext>>();
        services.TryAddSingleton<GroupCommit<TDbContext>>();
        // Started before the bus and the delivery service: leases are stamped and judged by the database's clock.
        services.TryAddSingleton<DatabaseClock<TDbContext>>();
        services.AddHostedService(provider => provider.GetRequiredService<DatabaseClock<TDbContext>>());
        services.ConfigureDbContext<TDbContext>((provider, db) =>
        {
            db.AddInterceptors(provider.GetRequiredService<OutboxCommitInterceptor<TDbContext>>());
            // After the service's own UseNpgsql (services register their database first): the batch is PostgreSQL's.
            CommitWithLastBatch.Install(db);
        });

        services.AddScoped<IOutboxContextFactory<TDbContext>, DurableOutboxContextFactory<TDbContext>>();
        services.TryAddScoped<DeferredInboxClaim<TDbContext>>();
        services.TryAddSingleton<DurableSagaTypes>();
        services.TryAddSingleton<OutboxFlush<TDbContext>>();
        services.AddSingleton<IOutboxFlush>(provider => provider.GetRequiredService<OutboxFlush<TDbContext>>());
        // Registered before the bus, so it stops after it: it outlives every send whose row it is to delete.
        services.AddHostedService(provider => provider.GetRequiredService<SentOutboxDeletes<TDbContext>>());
        // Delivering before the bus has bound its queues would route messages past consumers that are still starting.
        builder.AfterBus(after =>
        {
            if (options.DeliveryEnabled)
                after.AddHostedService<OutboxDeliveryService<TDbContext>>();
            after.AddHostedService<InboxCleanupService<TDbContext>>();
            after.AddHostedService<OutboxBacklogMonitor<TDbContext>>();
        });

        services.AddHealthChecks()
            .AddDbContextCheck<TDbContext>(builder.HealthCheckName("database", typeof(TDbContext).Name), tags: ["ready"])
            .AddCheck<OutboxBacklogHealthCheck<TDbContext>>(builder.HealthCheckName("outbox", typeof(TDbContext).Name), tags: ["ready"]);

        builder.UseSagaRepository(new DurableSagaRepositoryRegistrationProvider<TDbContext>());

        builder.OnEndpoint((_, endpoint) => endpoint.ConnectConsumerConfigurationObserver(new ConsumerAttributes.Observer()));
        builder.OnEndpoint((context, endpoint) =>
            builder.ConnectOwnObserver(endpoint, new MassTransit.Configuration.OutboxConsumePipeSpecificationObserver<TDbContext>(endpoint, context)));

        // A scope outside any consumer (an HTTP request) has one bus outbox, and redeliveries scheduled outside a
        // consumer's transaction need one store.
        return builder.ForTheWholeBus(bus =>
        {
            bus.OnRegistration(x =>
            {
                x.Replace(ServiceDescriptor.Scoped<IScopedBusContextProvider<IBus>, DurableScopedBusContextProvider<TDbContext>>());
                x.TryAddScoped<IMessageScheduler>(provider => new MessageScheduler(
                    new DurableScheduleMessageProvider(
                        provider.GetRequiredService<IScopedBusContextProvider<IBus>>().Context.SendEndpointProvider,
                        provider.GetRequiredService<TDbContext>()),
                    provider.GetRequiredService<IBus>().Topology));
            });

            bus.UseDurableScheduler((context, cfg) => cfg.AddPrePipeSpecification(new DurableMessageSchedulerSpecification<TDbContext>(context)));
        });
    }
}
