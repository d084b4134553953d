using MassTransit;
using MassTransit.DependencyInjection;
using MassTransit.Middleware;
using MassTransit.Middleware.Outbox;
using MassTransit.Transports;
using Microsoft.EntityFrameworkCore;
using Shop.Messaging.EntityFrameworkCore.Storage;
using Microsoft.Extensions.Options;

namespace Shop.Messaging.EntityFrameworkCore.Outbox;

/// <summary>
/// The bus outbox: outside a consumer, the scoped <see cref="IPublishEndpoint"/> and <see cref="ISendEndpointProvider"/>
/// add outbox rows to the scope's <see cref="DbContext"/> instead of talking to the broker. They are written by the
/// caller's <c>SaveChanges</c>, inside the caller's transaction if it has one, and delivered after commit.
/// </summary>
sealed class DurableScopedBusContext(IBus bus, DbContext db, TimeProvider time, IClientFactory clientFactory, IServiceProvider provider,
    TimeSpan? afterCommitLease)
    : ScopedBusContext, OutboxSendContext
{
    readonly OutboxRecorder _recorder = new(db, time, afterCommitLease);
    ISendEndpointProvider? _sendEndpointProvider;
    IPublishEndpoint? _publishEndpoint;
    IScopedClientFactory? _clientFactory;

    public ISendEndpointProvider SendEndpointProvider => _sendEndpointProvider ??= new OutboxSendEndpointProvider(this, bus);

    public IPublishEndpoint PublishEndpoint => _publishEndpoint ??= new PublishEndpoint(new OutboxPublishEndpointProvider(this, bus));

    // Request/response needs a live broker round trip, so clients bypass the outbox.
    public IScopedClientFactory ClientFactory => _clientFactory ??= new BusScopedBusContext<IBus>(bus, clientFactory, provider).ClientFactory;

    public Task AddSend<T>(SendContext<T> context) where T : class => _recorder.Add(context);

    public object? GetService(Type serviceType) => provider.GetService(serviceType);
}

sealed class DurableScopedBusContextProvider<TDbContext> : IScopedBusContextProvider<IBus>
    where TDbContext : DbContext
{
    public DurableScopedBusContextProvider(IBus bus, TDbContext db, DatabaseClock<TDbContext> time, Bind<IBus, IClientFactory> clientFactory,
        Bind<IBus, IScopedConsumeContextProvider> consumeContextProvider, IScopedConsumeContextProvider globalConsumeContextProvider,
        IOptions<DurableStoreOptions> options, IServiceProvider provider)
    {
        // Inside a consumer the consume context is already the consumer outbox; only "outside" scopes need the bus outbox.
        if (consumeContextProvider.Value.HasContext)
            Context = new ConsumeContextScopedBusContext(consumeContextProvider.Value.GetContext(), clientFactory.Value);
        else if (globalConsumeContextProvider.HasContext)
            Context = new ConsumeContextScopedBusContext<IBus>(bus, globalConsumeContextProvider.GetContext(), clientFactory.Value, provider);
        else
            Context = new DurableScopedBusContext(bus, db, time, clientFactory.Value, provider, options.Value.AfterCommitLeaseOrNull);
    }

    public ScopedBusContext Context { get; }
}
