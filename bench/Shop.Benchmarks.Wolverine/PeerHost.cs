using JasperFx.Resources;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Wolverine;
using Wolverine.EntityFrameworkCore;
using Wolverine.Postgresql;
using Wolverine.RabbitMQ;

namespace Shop.Benchmarks.Wolverine;

/// <summary>
/// Wolverine set up as its documentation recommends, doing the work of scenarios 2 and 3. Where it differs from ours by
/// default and the difference is not the thing compared, it is made the same (confirms, persistent load, prefetch);
/// docs/performance.md lists each one.
/// </summary>
public static class PeerHost
{
    public const string Queue = "wolverine-bench";
    public const string LoadExchange = "wolverine-bench-load";
    public const string ProcessedExchange = "wolverine-bench-processed";
    public const string Schema = "wolverine";

    public static IHost Build(PeerSettings settings)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        // Standard output carries the result only.
        builder.Logging.AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace).SetMinimumLevel(LogLevel.Warning);
        builder.Services.AddSingleton<Counter>();
        if (settings.Durable)
        {
            // Registers the DbContext with singleton options and Wolverine's envelope mapping, so the outbox rows are
            // written in the same SaveChanges batch as the business row (Wolverine's EF Core guide).
            builder.Services.AddDbContextWithWolverineIntegration<PeerDbContext>(x => x.UseNpgsql(settings.ConnectionString));
            // Creates the envelope tables and the broker objects before the first message.
            builder.Services.AddResourceSetupOnStartup();
        }

        builder.Services.AddWolverine(opts =>
        {
            opts.Discovery.DisableConventionalDiscovery();
            opts.Discovery.IncludeType(settings.Durable ? typeof(DurablePayloadHandler) : typeof(PlainPayloadHandler));

            opts.UseRabbitMq(new Uri(settings.RabbitUrl))
                .AutoProvision()
                .AutoPurgeOnStartup()
                // Off by default in Wolverine; our load and our outbox publish with confirms, so Wolverine's do too.
                .ConfigureChannelCreation(o =>
                {
                    o.PublisherConfirmationsEnabled = true;
                    o.PublisherConfirmationTrackingEnabled = true;
                });

            // The load: each send awaits the broker's confirm, as MassTransit's Publish does in scenarios 2 and 3.
            // Wolverine marks only durable endpoints' messages persistent; the load must be persistent as ours is. It goes
            // through an exchange bound to the queue (as MassTransit's Publish does): an endpoint has one mode for both
            // directions, and sending straight to the durable listener's queue would put the load through the outbox.
            opts.PublishMessage<Payload>().ToRabbitExchange(LoadExchange, exchange => exchange.BindQueue(Queue))
                .SendInline()
                .UseInterop((_, mapper) => mapper.MapProperty(x => x.ContentType!,
                    (envelope, incoming) => envelope.ContentType = incoming.ContentType,
                    (envelope, outgoing) =>
                    {
                        outgoing.ContentType = envelope.ContentType;
                        outgoing.Persistent = true;
                    }));

            var listener = opts.ListenToRabbitQueue(Queue).PreFetchCount((ushort)settings.Concurrency);
            if (settings.Durable)
            {
                // Stored in the inbox (batched inserts) and acknowledged, then handled by up to Concurrency workers.
                listener.UseDurableInbox().MaximumParallelMessages(settings.Concurrency);

                opts.PersistMessagesWithPostgresql(settings.ConnectionString!, Schema);
                opts.UseEntityFrameworkCoreTransactions();
                opts.Policies.AutoApplyTransactions();
                // One node: no leader election between nodes (the guide's advice for a single process).
                opts.Durability.Mode = DurabilityMode.Solo;

                // Scenario 3 publishes Processed to an exchange nothing is bound to; so does this.
                opts.PublishMessage<Processed>().ToRabbitExchange(ProcessedExchange).UseDurableOutbox();
            }
            else if (settings.Listener == "buffered")
            {
                // Acknowledged when buffered in memory, before the handler runs (an experiment, not the default).
                listener.BufferedInMemory().MaximumParallelMessages(settings.Concurrency);
            }
            else
            {
                // Rabbit MQ listeners are Inline by default (acknowledged after the handler, as MassTransit does); the
                // guide's cheapest way to run them in parallel is the client's dispatch concurrency.
                listener.ConsumerDispatchConcurrency((ushort)settings.Concurrency);
            }
        });

        return builder.Build();
    }
}
