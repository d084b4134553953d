using MassTransit;
using MassTransit.Context;

namespace Shop.Messaging.AmazonSqs.Transport;

/// <summary>
/// A send on SQS/SNS. <see cref="GroupId"/> (MassTransit.AmazonSQS's name) or else <see cref="PartitionKey"/>
/// (MassTransit's partition key) is the FIFO message group; with <c>FifoIdDefaults</c> it defaults to the correlation id,
/// so the messages of one order stay in order, and the deduplication id to the message id. Both survive the outbox,
/// which stores a send's properties under the official transport's names (<c>SQS-GroupId</c>, <c>SQS-DeduplicationId</c>).
/// </summary>
public sealed class AmazonSqsSendContext<T>(T message, CancellationToken cancellationToken)
    : MessageSendContext<T>(message, cancellationToken), PartitionKeySendContext
    where T : class
{
    const string PartitionKeyProperty = "PartitionKey";
    const string GroupIdProperty = "SQS-GroupId";
    const string DeduplicationIdProperty = "SQS-DeduplicationId";
    const string OurOldDeduplicationIdProperty = "Shop-DeduplicationId";

    public string? PartitionKey { get; set; }

    public string? GroupId { get; set; }

    public string? DeduplicationId { get; set; }

    public override void ReadPropertiesFrom(IReadOnlyDictionary<string, object> properties)
    {
        base.ReadPropertiesFrom(properties);
        PartitionKey = ReadString(properties, PartitionKeyProperty);
        GroupId = ReadString(properties, GroupIdProperty);
        // Outbox rows written before the official name was adopted.
        DeduplicationId = ReadString(properties, DeduplicationIdProperty) ?? ReadString(properties, OurOldDeduplicationIdProperty);
    }

    public override void WritePropertiesTo(IDictionary<string, object> properties)
    {
        base.WritePropertiesTo(properties);
        if (!string.IsNullOrWhiteSpace(PartitionKey))
            properties[PartitionKeyProperty] = PartitionKey;
        if (!string.IsNullOrWhiteSpace(GroupId))
            properties[GroupIdProperty] = GroupId;
        if (!string.IsNullOrWhiteSpace(DeduplicationId))
            properties[DeduplicationIdProperty] = DeduplicationId;
    }
}
