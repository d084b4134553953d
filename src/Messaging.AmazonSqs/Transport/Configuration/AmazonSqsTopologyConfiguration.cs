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

    /// <param name="names">
    /// The entity name formatter of the message topology: the scoped topic name of a type, which MassTransit replaces
    /// with <c>[EntityName]</c> or <c>SetEntityName</c> where given.
    /// </param>
    public AmazonSqsTopologyConfiguration(AmazonSqsEntityNames names)
    {
        Names = names;
        _message = new MessageTopology(names);

        _send = new SendTopology();
        _send.ConnectSendTopologyConfigurationObserver(new DelegateSendTopologyConfigurationObserver(GlobalTopology.Send));

        _publish = new AmazonSqsPublishTopology(_message);
        _publish.ConnectPublishTopologyConfigurationObserver(new DelegatePublishTopologyConfigurationObserver(GlobalTopology.Publish));
        _publish.ConnectPublishTopologyConfigurationObserver(new PublishToSendTopologyConfigurationObserver(_send));

        _consume = new AmazonSqsConsumeTopology();
    }

    /// <summary>A receive endpoint's own view: shared message, send and publish topologies, its own consume topology.</summary>
    public AmazonSqsTopologyConfiguration(AmazonSqsTopologyConfiguration parent)
    {
        Names = parent.Names;
        _message = parent._message;
        _send = parent._send;
        _publish = parent._publish;
        _consume = new AmazonSqsConsumeTopology();
    }

    public AmazonSqsEntityNames Names { get; }

    public IMessageTopologyConfigurator Message => _message;
    public ISendTopologyConfigurator Send => _send;
    public IPublishTopologyConfigurator Publish => _publish;
    public IConsumeTopologyConfigurator Consume => _consume;

    public IEnumerable<ValidationResult> Validate() => _send.Validate().Concat(_publish.Validate()).Concat(_consume.Validate());
}

public sealed class AmazonSqsConsumeTopology() : ConsumeTopology(AmazonSqsEntityNames.MaxQueueNameLength);

public sealed class AmazonSqsPublishTopology(IMessageTopology messageTopology) : PublishTopology
{
    protected override IMessagePublishTopologyConfigurator CreateMessageTopology<T>()
    {
        var topology = new AmazonSqsMessagePublishTopology<T>(this, messageTopology.GetMessageTopology<T>());
        OnMessageTopologyCreated(topology);
        return topology;
    }
}

/// <summary>Publishing <typeparamref name="TMessage"/> means sending to its topic, named by the message topology's entity name.</summary>
public sealed class AmazonSqsMessagePublishTopology<TMessage>(IPublishTopology publishTopology, IMessageTopology<TMessage> messageTopology)
    : MessagePublishTopology<TMessage>(publishTopology)
    where TMessage : class
{
    // Read when first needed, so SetEntityName during configuration still counts.
    public string TopicName => AmazonSqsEntityNames.ValidTopic(messageTopology.EntityName);

    public override bool TryGetPublishAddress(Uri baseAddress, [NotNullWhen(true)] out Uri? publishAddress)
    {
        publishAddress = new AmazonSqsEndpointAddress(TopicName, IsTopic: true).ToUri(baseAddress);
        return true;
    }
}
