using MassTransit;
using MassTransit.Configuration;

namespace Shop.Messaging.AmazonSqs.Transport.Configuration;

public sealed class AmazonSqsBusFactoryConfigurator : BusFactoryConfigurator,
    IBusFactoryConfigurator<IAmazonSqsReceiveEndpointConfigurator>, IBusFactory
{
    readonly AmazonSqsBusConfiguration _busConfiguration;

    public AmazonSqsBusFactoryConfigurator(AmazonSqsBusConfiguration busConfiguration)
        : base(busConfiguration)
    {
        _busConfiguration = busConfiguration;
    }

    public AmazonSqsTransportOptions Options => _busConfiguration.HostConfiguration.Options;

    public IReceiveEndpointConfiguration CreateBusEndpointConfiguration(Action<IReceiveEndpointConfigurator> configure)
    {
        // The bus endpoint (responses to requests) is a queue of this process; it is only created if a request is made.
        var queueName = _busConfiguration.Topology.Consume.CreateTemporaryQueueName("bus");
        return _busConfiguration.HostConfiguration.CreateReceiveEndpointConfiguration(queueName,
            _busConfiguration.BusEndpointConfiguration, configure);
    }

    public void ReceiveEndpoint(IEndpointDefinition definition, IEndpointNameFormatter? endpointNameFormatter,
        Action<IReceiveEndpointConfigurator>? configureEndpoint = null) =>
        _busConfiguration.HostConfiguration.ReceiveEndpoint(definition, endpointNameFormatter, configureEndpoint);

    public void ReceiveEndpoint(string queueName, Action<IReceiveEndpointConfigurator> configureEndpoint) =>
        _busConfiguration.HostConfiguration.ReceiveEndpoint(queueName, configureEndpoint);

    public void ReceiveEndpoint(IEndpointDefinition definition, IEndpointNameFormatter? endpointNameFormatter,
        Action<IAmazonSqsReceiveEndpointConfigurator>? configureEndpoint = null) =>
        _busConfiguration.HostConfiguration.ReceiveEndpoint(definition, endpointNameFormatter, configureEndpoint);

    public void ReceiveEndpoint(string queueName, Action<IAmazonSqsReceiveEndpointConfigurator> configureEndpoint) =>
        _busConfiguration.HostConfiguration.ReceiveEndpoint(queueName, configureEndpoint);
}
