using MassTransit;
using MassTransit.Logging;
using MassTransit.Monitoring;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using Shop.Messaging.AmazonSqs.Transport;
using Shop.Messaging.Composition;

namespace Shop.Messaging;

public static class ShopMessagingServiceCollectionExtensions
{
    /// <summary>
    /// The one bus set-up every Shop service uses: transport from <c>Messaging:Transport</c>, kebab-case endpoint
    /// names, layered retry, telemetry and the bus health check (tagged <c>ready</c>). Infrastructure such as the
    /// durable store plugs in through <paramref name="extend"/>. In the standalone host, which composes every service
    /// onto one bus (<c>ComposeShopMessaging</c>, Composition/), the service joins that bus instead of registering one.
    /// </summary>
    public static IServiceCollection AddShopMessaging(this IServiceCollection services, IConfiguration configuration,
        Action<IBusRegistrationConfigurator> configure, Action<ShopMessagingBuilder>? extend = null)
    {
        var section = configuration.GetSection(MessagingOptions.SectionName);
        var options = section.Get<MessagingOptions>() ?? new MessagingOptions();
        var composition = ShopMessagingComposition.Find(services);

        var builder = new ShopMessagingBuilder(services, configuration, options, configure, composition);
        builder.AddTransport(MessagingTransports.RabbitMq, (x, configureBus) => x.UsingRabbitMq((context, cfg) =>
        {
            cfg.Host(RabbitMqHostSettingsFactory.Create(options.RabbitMq));
            KeepErrorQueuesClassic(cfg);
            configureBus(context, cfg);
            cfg.ConfigureEndpoints(context);
        }));
        builder.AddTransport(MessagingTransports.InMemory, (x, configureBus) => x.UsingInMemory((context, cfg) =>
        {
            configureBus(context, cfg);
            cfg.ConfigureEndpoints(context);
        }));
        builder.AddTransport(MessagingTransports.AmazonSqs, (x, configureBus) => x.UsingShopAmazonSqs(options.AmazonSqs, (context, cfg) =>
        {
            configureBus(context, cfg);
            cfg.ConfigureEndpoints(context);
        }));
        extend?.Invoke(builder);

        if (!builder.TryGetTransport(options.Transport, out var useTransport))
        {
            throw new InvalidOperationException(
                $"Messaging:Transport is '{options.Transport}', which this service does not have. " +
                $"Use {MessagingTransports.RabbitMq}, {MessagingTransports.AmazonSqs} or {MessagingTransports.InMemory}.");
        }

        if (composition is not null)
        {
            composition.Add(builder);
            return services;
        }

        return services.AddShopBus(configuration, [builder], useTransport, x =>
        {
            builder.Register(x);
            if (builder.SagaRepository is { } sagaRepository)
                x.SetSagaRepositoryProvider(sagaRepository);
        });
    }

    /// <summary>The bus of one service, or of several composed into one host; <paramref name="register"/> adds their consumers and sagas.</summary>
    internal static IServiceCollection AddShopBus(this IServiceCollection services, IConfiguration configuration,
        IReadOnlyList<ShopMessagingBuilder> builders,
        Action<IBusRegistrationConfigurator, Action<IBusRegistrationContext, IBusFactoryConfigurator>> useTransport,
        Action<IBusRegistrationConfigurator> register)
    {
        var options = builders[0].Options;
        services.Configure<MessagingOptions>(configuration.GetSection(MessagingOptions.SectionName));
        // A host without the generic host's defaults (the CLI, tests) has no meter factory of its own.
        services.AddMetrics();
        services.AddSingleton<MessagingMetrics>();
        services.AddSingleton<ConsumeTelemetryObserver>();

        services.AddMassTransit(x =>
        {
            x.SetKebabCaseEndpointNameFormatter();

            register(x);

            var deliveryLimit = new DeliveryLimitFilter(options.RabbitMq.DeliveryLimit, options.AmazonSqs.MaxReceiveCount);
            x.AddConfigureEndpointsCallback((context, name, endpoint) =>
            {
                // Outermost, so that a message over its limit is not even retried.
                endpoint.UseFilter(deliveryLimit);
                if (endpoint is IRabbitMqReceiveEndpointConfigurator rabbit && options.RabbitMq.QuorumQueues)
                    ConfigureDeliveryLimit(rabbit, name, options.RabbitMq.DeliveryLimit);
                endpoint.RequirePlainJsonType(name);
                ConfigureRetry(endpoint, options.Retry, context.GetRequiredService<MessagingMetrics>());
                foreach (var callback in builders.SelectMany(builder => builder.EndpointCallbacks))
                    callback(context, endpoint);
            });

            useTransport(x, (context, cfg) =>
            {
                cfg.PrefetchCount = options.PrefetchCount;
                if (options.ConcurrentMessageLimit is { } limit)
                    cfg.ConcurrentMessageLimit = limit;

                if (!builders.Any(builder => builder.HasDurableScheduler))
                    cfg.UseDelayedMessageScheduler();

                cfg.AcceptPlainJson();
                cfg.ConnectConsumeObserver(context.GetRequiredService<ConsumeTelemetryObserver>());

                foreach (var callback in builders.SelectMany(builder => builder.BusCallbacks))
                    callback(context, cfg);
            });
        });

        foreach (var callback in builders.SelectMany(builder => builder.AfterBusCallbacks))
            callback(services);

        // A service is not ready before its queues are bound: without this, messages published during start-up
        // to an exchange nobody is bound to yet would be dropped by the broker.
        services.Configure<MassTransitHostOptions>(host =>
        {
            host.WaitUntilStarted = true;
            host.StartTimeout = options.StartTimeout;
            host.StopTimeout = options.StopTimeout;
        });

        // Joins the service's tracer and meter providers without creating them: with no exporter configured there are
        // none, and MassTransit then skips its activities and instruments (measured at steady state: 6-8 % of plain
        // MassTransit's throughput, docs/performance.md).
        services.ConfigureOpenTelemetryTracerProvider(tracing => tracing.AddSource(DiagnosticHeaders.DefaultListenerName));
        services.ConfigureOpenTelemetryMeterProvider(metrics => metrics
            .AddMeter(InstrumentationOptions.MeterName)
            .AddMeter(ShopMessagingDiagnostics.MeterName));

        return services;
    }

    static void ConfigureRetry(IReceiveEndpointConfigurator endpoint, RetryOptions retry, MessagingMetrics metrics)
    {
        // MassTransit's own error pipe (a Fault<T>, then the error queue), behind one check of ours.
        endpoint.ConfigureError(error =>
        {
            error.UseFilter(new ReturnToQueueWhileDatabaseIsDownFilter());
            error.UseFilter(new MassTransit.Middleware.GenerateFaultFilter());
            error.UseFilter(new CountErrorQueueMovesFilter(metrics));
            error.UseFilter(new MassTransit.Middleware.ErrorTransportFilter());
        });

        // Registered outermost first: redelivery wraps the immediate retries, which wrap the consumer pipes.
        var redelivery = retry.EffectiveRedeliveryIntervals;
        if (redelivery.Length > 0)
        {
            endpoint.UseScheduledRedelivery(r =>
            {
                r.Handle<Exception>(TransientFailures.IsTransient);
                r.Intervals(redelivery);
            });
        }

        if (retry.ImmediateLimit > 0)
        {
            endpoint.UseMessageRetry(r =>
            {
                r.Handle<Exception>(TransientFailures.IsTransient);
                r.Exponential(retry.ImmediateLimit, retry.ImmediateMinInterval, retry.ImmediateMaxInterval, retry.ImmediateIntervalDelta);
            });
        }
    }

    /// <summary>
    /// With <see cref="RabbitMqOptions.QuorumQueues"/>, an endpoint with a limit gets a quorum queue: the broker counts the
    /// deliveries of each message (<c>x-delivery-count</c>) for <see cref="DeliveryLimitFilter"/>, and dead-letters a
    /// message into the endpoint's <c>_error</c> queue itself once the filter has had two deliveries to park it, in
    /// case parking keeps failing. The error exchange and queue are declared up front, since the broker drops what it
    /// dead-letters to an exchange that does not exist. Only endpoints configured from registrations come here; the
    /// bus's own temporary queue stays classic (a quorum queue cannot be auto-delete).
    /// </summary>
    static void ConfigureDeliveryLimit(IRabbitMqReceiveEndpointConfigurator endpoint, string queueName, int limit)
    {
        if (limit <= 0)
            return;

        endpoint.SetQuorumQueue();
        endpoint.SetQueueArgument("x-delivery-limit", limit + 1);
        endpoint.BindDeadLetterQueue(queueName + "_error", queueName + "_error");
    }

    /// <summary>
    /// MassTransit declares an endpoint's <c>_error</c> and <c>_skipped</c> queues with the endpoint queue's arguments;
    /// they stay plain classic queues (as they were before the delivery limit, so existing ones still match), where
    /// messages wait for a person rather than loop.
    /// </summary>
    static void KeepErrorQueuesClassic(IRabbitMqBusFactoryConfigurator cfg)
    {
        cfg.SendTopology.ConfigureErrorSettings = WithoutDeliveryLimit;
        cfg.SendTopology.ConfigureDeadLetterSettings = WithoutDeliveryLimit;

        static void WithoutDeliveryLimit(IRabbitMqQueueConfigurator queue)
        {
            foreach (var argument in (string[])["x-queue-type", "x-delivery-limit", "x-dead-letter-exchange"])
                queue.SetQueueArgument(argument, null);
        }
    }
}
