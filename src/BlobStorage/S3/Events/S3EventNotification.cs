using System.Text.Json.Serialization;

namespace Shop.BlobStorage.S3.Events;

/// <summary>
/// The JSON an S3 bucket sends to an SQS queue when an object changes (event message structure version 2.x), as AWS
/// writes it: no MassTransit envelope, so it is read with the raw JSON deserializer. Names are spelled out because
/// AWS mixes cases (<c>Records</c>, <c>eventName</c>, <c>x-amz-request-id</c>). When a notification configuration
/// is saved, S3 also sends one test message without <see cref="Records"/> (<see cref="Event"/> = <c>s3:TestEvent</c>).
/// </summary>
public sealed record S3EventNotification
{
    public const string TestEvent = "s3:TestEvent";

    [JsonPropertyName("Records")]
    public IReadOnlyList<S3EventRecord>? Records { get; init; }

    /// <summary>Only in S3's test message.</summary>
    [JsonPropertyName("Event")]
    public string? Event { get; init; }

    /// <summary>Only in S3's test message.</summary>
    [JsonPropertyName("Bucket")]
    public string? Bucket { get; init; }
}

public sealed record S3EventRecord
{
    [JsonPropertyName("eventVersion")]
    public string? EventVersion { get; init; }

    /// <summary><c>aws:s3</c>.</summary>
    [JsonPropertyName("eventSource")]
    public string? EventSource { get; init; }

    [JsonPropertyName("awsRegion")]
    public string? AwsRegion { get; init; }

    [JsonPropertyName("eventTime")]
    public DateTimeOffset EventTime { get; init; }

    /// <summary>Without the <c>s3:</c> of the configuration: <c>ObjectCreated:Put</c>, <c>ObjectRemoved:Delete</c>, …</summary>
    [JsonPropertyName("eventName")]
    public string EventName { get; init; } = "";

    [JsonPropertyName("userIdentity")]
    public S3EventUserIdentity? UserIdentity { get; init; }

    [JsonPropertyName("requestParameters")]
    public S3EventRequestParameters? RequestParameters { get; init; }

    [JsonPropertyName("responseElements")]
    public S3EventResponseElements? ResponseElements { get; init; }

    [JsonPropertyName("s3")]
    public S3EventEntity? S3 { get; init; }

    public bool IsObjectCreated => EventName.StartsWith("ObjectCreated:", StringComparison.Ordinal);
}

public sealed record S3EventUserIdentity([property: JsonPropertyName("principalId")] string? PrincipalId);

public sealed record S3EventRequestParameters([property: JsonPropertyName("sourceIPAddress")] string? SourceIpAddress);

public sealed record S3EventResponseElements(
    [property: JsonPropertyName("x-amz-request-id")] string? RequestId,
    [property: JsonPropertyName("x-amz-id-2")] string? HostId);

public sealed record S3EventEntity
{
    [JsonPropertyName("s3SchemaVersion")]
    public string? SchemaVersion { get; init; }

    /// <summary>The id of the notification configuration that matched.</summary>
    [JsonPropertyName("configurationId")]
    public string? ConfigurationId { get; init; }

    [JsonPropertyName("bucket")]
    public S3EventBucket? Bucket { get; init; }

    [JsonPropertyName("object")]
    public S3EventObject? Object { get; init; }
}

public sealed record S3EventBucket
{
    [JsonPropertyName("name")]
    public string Name { get; init; } = "";

    [JsonPropertyName("arn")]
    public string? Arn { get; init; }

    [JsonPropertyName("ownerIdentity")]
    public S3EventUserIdentity? OwnerIdentity { get; init; }
}

public sealed record S3EventObject
{
    /// <summary>URL-encoded as in a form (a space arrives as '+'); <see cref="DecodedKey"/> is the real key.</summary>
    [JsonPropertyName("key")]
    public string Key { get; init; } = "";

    /// <summary>Absent for deletions.</summary>
    [JsonPropertyName("size")]
    public long? Size { get; init; }

    [JsonPropertyName("eTag")]
    public string? ETag { get; init; }

    [JsonPropertyName("versionId")]
    public string? VersionId { get; init; }

    /// <summary>Orders the events of one key: a larger value (compared as hex of equal length) is a later event.</summary>
    [JsonPropertyName("sequencer")]
    public string? Sequencer { get; init; }

    [JsonIgnore]
    public string DecodedKey => Uri.UnescapeDataString(Key.Replace('+', ' '));
}
