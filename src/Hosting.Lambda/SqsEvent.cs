using System.Text.Json;
using System.Text.Json.Serialization;
using Amazon.SQS.Model;

namespace Shop.Hosting.Lambda;

/// <summary>The event an SQS event source mapping invokes a function with: up to its batch size of records.</summary>
public sealed record SqsEvent([property: JsonPropertyName("Records")] IReadOnlyList<SqsRecord> Records)
{
    public static SqsEvent Parse(byte[] json) =>
        JsonSerializer.Deserialize<SqsEvent>(json) is { Records: not null } parsed
            ? parsed
            : throw new JsonException("The invocation is not an SQS event (no Records).");
}

/// <summary>One SQS message as the event source mapping passes it on (AWS's documented record shape).</summary>
public sealed record SqsRecord(
    [property: JsonPropertyName("messageId")] string MessageId,
    [property: JsonPropertyName("receiptHandle")] string ReceiptHandle,
    [property: JsonPropertyName("body")] string? Body,
    [property: JsonPropertyName("attributes")] Dictionary<string, string>? Attributes,
    [property: JsonPropertyName("messageAttributes")] Dictionary<string, SqsRecordAttribute>? MessageAttributes,
    [property: JsonPropertyName("eventSource")] string? EventSource,
    [property: JsonPropertyName("eventSourceARN")] string EventSourceArn)
{
    /// <summary>The queue's name: the last part of its ARN.</summary>
    public string QueueName => EventSourceArn[(EventSourceArn.LastIndexOf(':') + 1)..];

    /// <summary>The message as the SQS API would have returned it, so the transport's own receive path takes it.</summary>
    public Message ToMessage() => new()
    {
        MessageId = MessageId,
        ReceiptHandle = ReceiptHandle,
        Body = Body,
        Attributes = Attributes is null ? [] : new Dictionary<string, string>(Attributes),
        MessageAttributes = (MessageAttributes ?? []).ToDictionary(a => a.Key, a => new MessageAttributeValue
        {
            DataType = a.Value.DataType,
            StringValue = a.Value.StringValue,
            BinaryValue = a.Value.BinaryValue is { } binary ? new MemoryStream(Convert.FromBase64String(binary)) : null,
        }),
    };
}

public sealed record SqsRecordAttribute(
    [property: JsonPropertyName("stringValue")] string? StringValue,
    [property: JsonPropertyName("binaryValue")] string? BinaryValue,
    [property: JsonPropertyName("dataType")] string DataType);

/// <summary>The partial batch response: the records to return to the queue; every other record is deleted.</summary>
public sealed record SqsBatchResponse([property: JsonPropertyName("batchItemFailures")] IReadOnlyList<SqsBatchItemFailure> BatchItemFailures);

public sealed record SqsBatchItemFailure([property: JsonPropertyName("itemIdentifier")] string ItemIdentifier);
