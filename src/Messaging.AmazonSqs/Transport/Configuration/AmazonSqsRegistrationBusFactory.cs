using MassTransit;
using MassTransit.Configuration;
using MassTransit.Transports;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Shop.BlobStorage;
using Shop.Messaging.AmazonSqs.Topology;

namespace Shop.Messaging.AmazonSqs.Transport.Configuration;

public sealed class AmazonSqsRegistrationBusFactory : TransportRegistrationBusFactory<IAmazonSqsReceiveEndpointConfigurator>
{
    readonly AmazonSqsBusConfiguration _busConfiguration;
    readonly Action<IBusRegistrationContext, AmazonSqsBusFactoryConfigurator>? _configure;

    public AmazonSqsRegistrationBusFactory(AmazonSqsTransportOptions options,
        Action<IBusRegistrationContext, AmazonSqsBusFactoryConfigurator>? configure)
        : this(new AmazonSqsBusConfiguration(new AmazonSqsTopologyConfiguration(options.Names()), options), configure)
    {
    }

    AmazonSqsRegistrationBusFactory(AmazonSqsBusConfiguration busConfiguration,
        Action<IBusRegistrationContext, AmazonSqsBusFactoryConfigurator>? configure)
        : base(busConfiguration.HostConfiguration)
    {
        _busConfiguration = busConfiguration;
        _configure = configure;
    }

    public override IBusInstance CreateBus(IBusRegistrationContext context, IEnumerable<IBusInstanceSpecification> specifications, string busName)
    {
        var host = _busConfiguration.HostConfiguration;
        var loggerFactory = context.GetService<ILoggerFactory>();

        // The log context MassTransit keeps in an async local may still belong to a host stopped earlier in this flow
        // (a restart in the same process); this bus logs through its own container.
        if (loggerFactory is not null)
            LogContext.ConfigureCurrentLogContext(loggerFactory);

        host.UseTransport(new AmazonSqsTransportContext(host.Options, host.Names, context.GetService<IBlobStorage>(),
            loggerFactory?.CreateLogger<AmazonSqsTransportContext>() ?? NullLogger<AmazonSqsTransportContext>.Instance));

        var configurator = new AmazonSqsBusFactoryConfigurator(_busConfiguration);
        return CreateBus(configurator, context, _configure, specifications);
    }

    protected override IBusInstance CreateBusInstance(IBusControl bus, IHost<IAmazonSqsReceiveEndpointConfigurator> host,
        IHostConfiguration hostConfiguration, IBusRegistrationContext context) =>
        new TransportBusInstance<IAmazonSqsReceiveEndpointConfigurator>(bus, host, hostConfiguration, context);
}
