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
        EntityName = hostConfiguration.Names.Queue(queueName);
        HostAddress = hostConfiguration.HostAddress;
        // The literal queue name, as MassTransit.AmazonSQS writes input addresses: responses and faults sent by a
        // service on either transport reach this queue.
        InputAddress = new AmazonSqsEndpointAddress(EntityName, IsTopic: false).ToUri(HostAddress);
    }

    /// <summary>The endpoint's name (without the prefix).</summary>
    public string QueueName { get; }

    /// <summary>The SQS queue's name: prefix and endpoint name.</summary>
    public string EntityName { get; }

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
        ConsumedMessageTypes = context.ConsumedMessageTypes.Keys.ToList();
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

/// <summary>
/// Notes every message type connected with consume topology on: the queue subscribes to the topic the publish topology
/// gives each (the type's entity name, whether FIFO or not, as MassTransit.AmazonSQS subscribes).
/// </summary>
public sealed class AmazonSqsReceiveEndpointBuilder(AmazonSqsReceiveEndpointConfiguration configuration)
    : ReceiveEndpointBuilder(configuration)
{
    readonly Dictionary<Type, string> _consumed = [];

    public IReadOnlyDictionary<Type, string> ConsumedMessageTypes => _consumed;

    public override ConnectHandle ConnectConsumePipe<T>(IPipe<ConsumeContext<T>> pipe, ConnectPipeOptions options)
    {
        if (configuration.ConfigureConsumeTopology && options.HasFlag(ConnectPipeOptions.ConfigureConsumeTopology)
            && configuration.Topology.Consume.GetMessageTopology<T>().ConfigureConsumeTopology
            && MessageTypeCache<T>.IsValidMessageType
            && configuration.Topology.Publish.GetMessageTopology<T>() is AmazonSqsMessagePublishTopology<T> { Exclude: false } published)
            _consumed[typeof(T)] = published.TopicName;

        return base.ConnectConsumePipe(pipe, options);
    }
}
