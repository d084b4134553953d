using System.Diagnostics.CodeAnalysis;
using MassTransit;
using MassTransit.Configuration;
using MassTransit.Topology;
using Shop.Messaging.AmazonSqs.Topology;

namespace Shop.Messaging.AmazonSqs.Transport.Configuration;

/// <summary>
/// The topology MassTransit works with on this transport: the core send and consume topologies, and a publish
/// topology whose address for a message type is that type's SNS topic.
/// </summary>
public sealed class AmazonSqsTopologyConfiguration : ITopologyConfiguration
{
    readonly IMessageTopologyConfigurator _message;
    readonly ISendTopologyConfigurator _send;
    readonly AmazonSqsPublishTopology _publish;
    readonly AmazonSqsConsumeTopology _consume;

    /// <param name="isFifoTopic">Whether a message type is published to its FIFO topic.</param>
    public AmazonSqsTopologyConfiguration(AmazonSqsEntityNameFormatter entityNameFormatter, Func<Type, bool>? isFifoTopic = null)
    {
        _message = new MessageTopology(entityNameFormatter);

        _send = new SendTopology();
        _send.ConnectSendTopologyConfigurationObserver(new DelegateSendTopologyConfigurationObserver(GlobalTopology.Send));

        _publish = new AmazonSqsPublishTopology(entityNameFormatter, isFifoTopic ?? (_ => false));
        _publish.ConnectPublishTopologyConfigurationObserver(new DelegatePublishTopologyConfigurationObserver(GlobalTopology.Publish));
        _publish.ConnectPublishTopologyConfigurationObserver(new PublishToSendTopologyConfigurationObserver(_send));

        _consume = new AmazonSqsConsumeTopology();
    }

    /// <summary>A receive endpoint's own view: shared message, send and publish topologies, its own consume topology.</summary>
    public AmazonSqsTopologyConfiguration(AmazonSqsTopologyConfiguration parent)
    {
        _message = parent._message;
        _send = parent._send;
        _publish = parent._publish;
        _consume = new AmazonSqsConsumeTopology();
    }

    public IMessageTopologyConfigurator Message => _message;
    public ISendTopologyConfigurator Send => _send;
    public IPublishTopologyConfigurator Publish => _publish;
    public IConsumeTopologyConfigurator Consume => _consume;

    public IEnumerable<ValidationResult> Validate() => _send.Validate().Concat(_publish.Validate()).Concat(_consume.Validate());
}

public sealed class AmazonSqsConsumeTopology() : ConsumeTopology(AmazonSqsEntityNames.MaxQueueNameLength);

public sealed class AmazonSqsPublishTopology(AmazonSqsEntityNameFormatter entityNameFormatter, Func<Type, bool> isFifoTopic) : PublishTopology
{
    protected override IMessagePublishTopologyConfigurator CreateMessageTopology<T>()
    {
        var topology = new AmazonSqsMessagePublishTopology<T>(this,
            AmazonSqsEntityNames.TopicName(entityNameFormatter, typeof(T), isFifoTopic(typeof(T))));
        OnMessageTopologyCreated(topology);
        return topology;
    }
}

/// <summary>Publishing <typeparamref name="TMessage"/> means sending to its topic.</summary>
public sealed class AmazonSqsMessagePublishTopology<TMessage>(IPublishTopology publishTopology, string topicName)
    : MessagePublishTopology<TMessage>(publishTopology)
    where TMessage : class
{
    public string TopicName { get; } = topicName;

    public override bool TryGetPublishAddress(Uri baseAddress, [NotNullWhen(true)] out Uri? publishAddress)
    {
        publishAddress = new AmazonSqsEndpointAddress(TopicName, IsTopic: true).ToUri(baseAddress);
        return true;
    }
}
