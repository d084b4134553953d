using MassTransit;
using MassTransit.Context;

namespace Shop.Messaging.AmazonSqs.Transport;

/// <summary>
/// A send on SQS/SNS. <see cref="PartitionKey"/> is the FIFO message group (MassTransit's partition key); it defaults to
/// the correlation id, so the messages of one order stay in order. The deduplication id defaults to the message id.
/// Both survive the outbox, which stores a send's properties.
/// </summary>
public sealed class AmazonSqsSendContext<T>(T message, CancellationToken cancellationToken)
    : MessageSendContext<T>(message, cancellationToken), PartitionKeySendContext
    where T : class
{
    const string PartitionKeyProperty = "PartitionKey";
    const string DeduplicationIdProperty = "Shop-DeduplicationId";

    public string? PartitionKey { get; set; }

    public string? DeduplicationId { get; set; }

    public override void ReadPropertiesFrom(IReadOnlyDictionary<string, object> properties)
    {
        base.ReadPropertiesFrom(properties);
        PartitionKey = ReadString(properties, PartitionKeyProperty);
        DeduplicationId = ReadString(properties, DeduplicationIdProperty);
    }

    public override void WritePropertiesTo(IDictionary<string, object> properties)
    {
        base.WritePropertiesTo(properties);
        if (!string.IsNullOrWhiteSpace(PartitionKey))
            properties[PartitionKeyProperty] = PartitionKey;
        if (!string.IsNullOrWhiteSpace(DeduplicationId))
            properties[DeduplicationIdProperty] = DeduplicationId;
    }
}
