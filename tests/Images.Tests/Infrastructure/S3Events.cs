using System.Net;
using System.Text.Json.Nodes;

namespace Shop.Images.Tests.Infrastructure;

/// <summary>S3 event notifications shaped as AWS documents them (event structure 2.1), for feeding the worker by hand.</summary>
public static class S3Events
{
    public static string ObjectCreated(string bucket, string objectKey, long size, string eTag = "d41d8cd98f00b204e9800998ecf8427e",
        string eventName = "ObjectCreated:Put") =>
        Notification(Record(bucket, objectKey, eventName, new JsonObject
        {
            ["key"] = EncodeKey(objectKey),
            ["size"] = size,
            ["eTag"] = eTag,
            ["sequencer"] = "0062E99A88DC407460",
        }));

    public static string ObjectRemoved(string bucket, string objectKey) =>
        Notification(Record(bucket, objectKey, "ObjectRemoved:Delete", new JsonObject
        {
            ["key"] = EncodeKey(objectKey),
            ["sequencer"] = "0062E99A88DC407461",
        }));

    /// <summary>What S3 sends once when a notification configuration is saved.</summary>
    public static string TestEvent(string bucket) => new JsonObject
    {
        ["Service"] = "Amazon S3",
        ["Event"] = "s3:TestEvent",
        ["Time"] = "2026-11-27T10:00:00.000Z",
        ["Bucket"] = bucket,
        ["RequestId"] = "5582815E1AEA5ADF",
        ["HostId"] = "8cLeGAmw098X5cv4Zkwcmo8vvZa3eH3eKxsPzbB9wrR+YstdA6Knx4Ip8EXAMPLE",
    }.ToJsonString();

    /// <summary>S3 writes keys form-encoded: '/' as is, a space as '+', anything else outside the safe set as %XX.</summary>
    public static string EncodeKey(string key) => string.Join('/', key.Split('/').Select(WebUtility.UrlEncode));

    static string Notification(JsonObject record) => new JsonObject { ["Records"] = new JsonArray(record) }.ToJsonString();

    static JsonObject Record(string bucket, string objectKey, string eventName, JsonObject s3Object) => new()
    {
        ["eventVersion"] = "2.1",
        ["eventSource"] = "aws:s3",
        ["awsRegion"] = "us-east-1",
        ["eventTime"] = "2026-11-27T10:00:00.000Z",
        ["eventName"] = eventName,
        ["userIdentity"] = new JsonObject { ["principalId"] = "AWS:AIDAEXAMPLE" },
        ["requestParameters"] = new JsonObject { ["sourceIPAddress"] = "127.0.0.1" },
        ["responseElements"] = new JsonObject { ["x-amz-request-id"] = "C3D13FE58DE4C810", ["x-amz-id-2"] = "FMyUVURIY8/IgAtTv8xRjskZQpcIZ9KG4V5Wp6S7S/JRWeUWerMUE5JgHvANOjpD" },
        ["s3"] = new JsonObject
        {
            ["s3SchemaVersion"] = "1.0",
            ["configurationId"] = "shop-image-uploads",
            ["bucket"] = new JsonObject
            {
                ["name"] = bucket,
                ["ownerIdentity"] = new JsonObject { ["principalId"] = "A3NL1KOZZKExample" },
                ["arn"] = $"arn:aws:s3:::{bucket}",
            },
            ["object"] = s3Object,
        },
    };
}
