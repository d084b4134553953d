using Amazon.Runtime;
using MassTransit;
using MassTransit.Configuration;
using MassTransit.Transports;
using Shop.Messaging.AmazonSqs.Topology;

namespace Shop.Messaging.AmazonSqs.Transport.Configuration;

public sealed class AmazonSqsHostConfiguration :
    BaseHostConfiguration<AmazonSqsReceiveEndpointConfiguration, IAmazonSqsReceiveEndpointConfigurator>
{
    readonly AmazonSqsBusConfiguration _busConfiguration;
    readonly AmazonSqsBusTopology _topology;
    AmazonSqsTransportContext? _transport;

    public AmazonSqsHostConfiguration(AmazonSqsBusConfiguration busConfiguration, AmazonSqsTopologyConfiguration topology,
        AmazonSqsTransportOptions options, AmazonSqsEntityNames names)
        : base(busConfiguration)
    {
        _busConfiguration = busConfiguration;
        Options = options;
        Names = names;
        HostAddress = new Uri($"{AmazonSqsEndpointAddress.Scheme}://{AmazonSqsTransportContext.ResolveRegion(options)}/");
        _topology = new AmazonSqsBusTopology(this, topology);

        // Start-up of a receive endpoint is retried while SQS/SNS cannot be reached.
        ReceiveTransportRetryPolicy = Retry.CreatePolicy(x =>
        {
            x.Handle<AmazonServiceException>(e => e is not Amazon.SQS.Model.QueueDoesNotExistException);
            x.Handle<HttpRequestException>();
            x.Exponential(1000, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(2));
        });
    }

    public AmazonSqsTransportOptions Options { get; }

    /// <summary>Queue and topic names of this bus (the message topology's entity name formatter).</summary>
    public AmazonSqsEntityNames Names { get; }

    public override Uri HostAddress { get; }

    public override IBusTopology Topology => _topology;

    public override IRetryPolicy ReceiveTransportRetryPolicy { get; }

    /// <summary>The clients and caches of this bus, created when the bus is built (they need the container).</summary>
    public AmazonSqsTransportContext Transport =>
        _transport ?? throw new InvalidOperationException("The SQS/SNS transport is used before its bus was built.");

    public new void ApplyEndpointDefinition(IReceiveEndpointConfigurator configurator, IEndpointDefinition definition) =>
        base.ApplyEndpointDefinition(configurator, definition);

    internal void UseTransport(AmazonSqsTransportContext transport) => _transport = transport;

    public AmazonSqsReceiveEndpointConfiguration CreateReceiveEndpointConfiguration(string queueName,
        AmazonSqsEndpointConfiguration endpointConfiguration, Action<IReceiveEndpointConfigurator>? configure)
    {
        var configuration = new AmazonSqsReceiveEndpointConfiguration(this, queueName, endpointConfiguration);
        configure?.Invoke(configuration);
        Observers.EndpointConfigured(configuration);
        Add(configuration);
        return configuration;
    }

    public override IReceiveEndpointConfiguration CreateReceiveEndpointConfiguration(string queueName,
        Action<IReceiveEndpointConfigurator>? configure) =>
        CreateReceiveEndpointConfiguration(queueName, _busConfiguration.CreateEndpointConfiguration(), configure);

    public override void ReceiveEndpoint(IEndpointDefinition definition, IEndpointNameFormatter? endpointNameFormatter,
        Action<IAmazonSqsReceiveEndpointConfigurator>? configureEndpoint = null)
    {
        var queueName = definition.GetEndpointName(endpointNameFormatter ?? DefaultEndpointNameFormatter.Instance);
        ReceiveEndpoint(queueName, configurator =>
        {
            ApplyEndpointDefinition(configurator, definition);
            configureEndpoint?.Invoke(configurator);
        });
    }

    public override void ReceiveEndpoint(string queueName, Action<IAmazonSqsReceiveEndpointConfigurator> configureEndpoint) =>
        CreateReceiveEndpointConfiguration(queueName, _busConfiguration.CreateEndpointConfiguration(),
            configurator => configureEndpoint?.Invoke((IAmazonSqsReceiveEndpointConfigurator)configurator));

    public override IHost Build()
    {
        var host = new AmazonSqsHost(this, _topology);
        foreach (var endpoint in GetConfiguredEndpoints())
            endpoint.Build(host);
        return host;
    }
}
