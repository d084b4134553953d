using MassTransit;
using MassTransit.Configuration;
using MassTransit.Observables;
using Shop.Messaging.AmazonSqs.Topology;

namespace Shop.Messaging.AmazonSqs.Transport.Configuration;

public class AmazonSqsEndpointConfiguration : EndpointConfiguration
{
    protected AmazonSqsEndpointConfiguration(AmazonSqsTopologyConfiguration topology)
        : base(topology)
    {
        Topology = topology;
    }

    AmazonSqsEndpointConfiguration(IEndpointConfiguration parent, AmazonSqsTopologyConfiguration topology, bool isBusEndpoint)
        : base(parent, topology, isBusEndpoint)
    {
        Topology = topology;
    }

    public new AmazonSqsTopologyConfiguration Topology { get; }

    public AmazonSqsEndpointConfiguration CreateEndpointConfiguration(bool isBusEndpoint = false) =>
        new(this, new AmazonSqsTopologyConfiguration(Topology), isBusEndpoint);
}

public sealed class AmazonSqsBusConfiguration : AmazonSqsEndpointConfiguration, IBusConfiguration
{
    readonly BusObservable _busObservers = new();

    public AmazonSqsBusConfiguration(AmazonSqsTopologyConfiguration topology, AmazonSqsTransportOptions options)
        : base(topology)
    {
        HostConfiguration = new AmazonSqsHostConfiguration(this, topology, options,
            topology.Names);
        BusEndpointConfiguration = CreateEndpointConfiguration(isBusEndpoint: true);
    }

    public AmazonSqsHostConfiguration HostConfiguration { get; }
    public AmazonSqsEndpointConfiguration BusEndpointConfiguration { get; }

    IHostConfiguration IBusConfiguration.HostConfiguration => HostConfiguration;
    IEndpointConfiguration IBusConfiguration.BusEndpointConfiguration => BusEndpointConfiguration;
    IBusObserver IBusConfiguration.BusObservers => _busObservers;

    public ConnectHandle ConnectBusObserver(IBusObserver observer) => _busObservers.Connect(observer);

    public ConnectHandle ConnectEndpointConfigurationObserver(IEndpointConfigurationObserver observer) =>
        HostConfiguration.ConnectEndpointConfigurationObserver(observer);
}
