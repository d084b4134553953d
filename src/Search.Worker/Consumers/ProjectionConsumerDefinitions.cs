using MassTransit;
using Microsoft.Extensions.Options;

namespace Shop.Search.Worker.Consumers;

/// <summary>
/// Batching for a projection consumer's endpoint. The endpoint must let a whole batch of every message type be in
/// flight at once (prefetch and concurrency), or batches would never fill and always wait for the time limit.
/// </summary>
public abstract class ProjectionConsumerDefinition<TConsumer>(IOptions<ProjectionBatchOptions> options, int messageTypes)
    : ConsumerDefinition<TConsumer>
    where TConsumer : class, IConsumer
{
    readonly ProjectionBatchOptions _batch = options.Value;

    protected override void ConfigureConsumer(IReceiveEndpointConfigurator endpointConfigurator, IConsumerConfigurator<TConsumer> consumerConfigurator,
        IRegistrationContext context)
    {
        var inFlight = _batch.MessageLimit * _batch.ConcurrencyLimit * messageTypes;
        endpointConfigurator.PrefetchCount = Math.Max(endpointConfigurator.PrefetchCount, Math.Min(inFlight, 2000));
        endpointConfigurator.ConcurrentMessageLimit = inFlight;

        // A batch that fails (the store unreachable) is retried whole; the projections make the repeat harmless.
        consumerConfigurator.UseMessageRetry(r => r.Incremental(5, TimeSpan.FromMilliseconds(200), TimeSpan.FromMilliseconds(500)));
        consumerConfigurator.Options<BatchOptions>(batch => batch
            .SetMessageLimit(_batch.MessageLimit)
            .SetTimeLimit(_batch.TimeLimit)
            .SetConcurrencyLimit(_batch.ConcurrencyLimit));
    }
}

public sealed class OrderProjectionConsumerDefinition(IOptions<ProjectionBatchOptions> options)
    : ProjectionConsumerDefinition<OrderProjectionConsumer>(options, messageTypes: 9);

public sealed class ProductImageProjectionConsumerDefinition(IOptions<ProjectionBatchOptions> options)
    : ProjectionConsumerDefinition<ProductImageProjectionConsumer>(options, messageTypes: 5);
