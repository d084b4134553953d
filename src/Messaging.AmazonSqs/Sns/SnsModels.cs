namespace Shop.Messaging.AmazonSqs.Sns;

/// <summary>An SNS message attribute; with raw message delivery it becomes the SQS message attribute of the same name.</summary>
public sealed record SnsMessageAttribute(string DataType, string? StringValue = null, byte[]? BinaryValue = null)
{
    public static SnsMessageAttribute String(string value) => new("String", value);
    public static SnsMessageAttribute Number(string value) => new("Number", value);
    public static SnsMessageAttribute Binary(byte[] value) => new("Binary", BinaryValue: value);
}

public sealed record SnsPublishRequest(string TopicArn, string Message)
{
    public string? Subject { get; init; }
    /// <summary>Required for FIFO topics.</summary>
    public string? MessageGroupId { get; init; }
    /// <summary>For FIFO topics without content-based deduplication.</summary>
    public string? MessageDeduplicationId { get; init; }
    public IReadOnlyDictionary<string, SnsMessageAttribute>? MessageAttributes { get; init; }
}

/// <param name="Id">Unique within the batch; the result reports success or failure by this id.</param>
public sealed record SnsPublishBatchEntry(string Id, string Message)
{
    public string? Subject { get; init; }
    public string? MessageGroupId { get; init; }
    public string? MessageDeduplicationId { get; init; }
    public IReadOnlyDictionary<string, SnsMessageAttribute>? MessageAttributes { get; init; }
}

public sealed record SnsPublishBatchSuccess(string Id, string MessageId);

public sealed record SnsPublishBatchFailure(string Id, string Code, string? Message, bool SenderFault);

public sealed record SnsPublishBatchResult(IReadOnlyList<SnsPublishBatchSuccess> Successful, IReadOnlyList<SnsPublishBatchFailure> Failed);

public sealed record SnsSubscription(string SubscriptionArn, string TopicArn, string Protocol, string Endpoint, string? Owner);
