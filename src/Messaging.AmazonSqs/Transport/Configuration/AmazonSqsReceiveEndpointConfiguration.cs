using MassTransit;
using MassTransit.Configuration;
using MassTransit.Transports;

namespace Shop.Messaging.AmazonSqs.Transport.Configuration;

/// <summary>One receive endpoint: a queue, subscribed to the topics of the message types its consumers take.</summary>
public sealed class AmazonSqsReceiveEndpointConfiguration : ReceiveEndpointConfiguration, IAmazonSqsReceiveEndpointConfigurator
{
    readonly AmazonSqsHostConfiguration _hostConfiguration;

    public AmazonSqsReceiveEndpointConfiguration(AmazonSqsHostConfiguration hostConfiguration, string queueName,
        AmazonSqsEndpointConfiguration endpointConfiguration)
        : base(hostConfiguration, endpointConfiguration)
    {
        _hostConfiguration = hostConfiguration;
        QueueName = queueName ?? throw new ArgumentNullException(nameof(queueName));
        HostAddress = hostConfiguration.HostAddress;
        InputAddress = new AmazonSqsEndpointAddress(queueName, IsTopic: false).ToUri(HostAddress);
    }

    public string QueueName { get; }

    public override Uri HostAddress { get; }

    public override Uri InputAddress { get; }

    /// <summary>
    /// The message types whose topics the queue subscribes to, known once the endpoint is built: infrastructure as code
    /// (deploy/aws) reads them from a bus that is built but never started.
    /// </summary>
    public IReadOnlyCollection<Type> ConsumedMessageTypes { get; private set; } = [];

    public override ReceiveEndpointContext CreateReceiveEndpointContext() => CreateSqsReceiveEndpointContext();

    public void Build(IHost host)
    {
        var context = CreateSqsReceiveEndpointContext();
        ConsumedMessageTypes = context.ConsumedMessageTypes;
        var receiveEndpoint = new ReceiveEndpoint(new AmazonSqsReceiveTransport(context), context);
        host.AddReceiveEndpoint(QueueName, receiveEndpoint);
        ReceiveEndpoint = receiveEndpoint;
    }

    AmazonSqsReceiveEndpointContext CreateSqsReceiveEndpointContext()
    {
        var builder = new AmazonSqsReceiveEndpointBuilder(this);
        ApplySpecifications(builder);
        var context = new AmazonSqsReceiveEndpointContext(_hostConfiguration, this, builder.ConsumedMessageTypes);

        // MassTransit's schedulers find the bus topology as a payload of the endpoint.
        context.GetOrAddPayload(() => _hostConfiguration.Topology);
        return context;
    }
}

/// <summary>Notes every message type connected with consume topology on: those are the topics the queue subscribes to.</summary>
public sealed class AmazonSqsReceiveEndpointBuilder(AmazonSqsReceiveEndpointConfiguration configuration)
    : ReceiveEndpointBuilder(configuration)
{
    readonly HashSet<Type> _consumed = [];

    public IReadOnlyCollection<Type> ConsumedMessageTypes => _consumed;

    public override ConnectHandle ConnectConsumePipe<T>(IPipe<ConsumeContext<T>> pipe, ConnectPipeOptions options)
    {
        if (configuration.ConfigureConsumeTopology && options.HasFlag(ConnectPipeOptions.ConfigureConsumeTopology)
            && configuration.Topology.Consume.GetMessageTopology<T>().ConfigureConsumeTopology)
            _consumed.Add(typeof(T));

        return base.ConnectConsumePipe(pipe, options);
    }
}
