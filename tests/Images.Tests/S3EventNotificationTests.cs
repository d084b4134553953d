using System.Text.Json;
using MassTransit.Serialization;
using Shop.BlobStorage;
using Shop.BlobStorage.S3.Events;
using Xunit;

namespace Shop.Images.Tests;

[Trait("Category", "NoTransport")]
public sealed class When_an_s3_event_notification_is_read
{
    // The example of AWS's "Event message structure" page (version 2.1), key made URL-encoded as S3 sends it.
    const string AwsExample = """
        {
          "Records": [
            {
              "eventVersion": "2.1",
              "eventSource": "aws:s3",
              "awsRegion": "us-west-2",
              "eventTime": "1970-01-01T00:00:00.000Z",
              "eventName": "ObjectCreated:Put",
              "userIdentity": { "principalId": "AIDAJDPLRKLG7UEXAMPLE" },
              "requestParameters": { "sourceIPAddress": "172.16.0.1" },
              "responseElements": {
                "x-amz-request-id": "C3D13FE58DE4C810",
                "x-amz-id-2": "FMyUVURIY8/IgAtTv8xRjskZQpcIZ9KG4V5Wp6S7S/JRWeUWerMUE5JgHvANOjpD"
              },
              "s3": {
                "s3SchemaVersion": "1.0",
                "configurationId": "testConfigRule",
                "bucket": {
                  "name": "amzn-s3-demo-bucket",
                  "ownerIdentity": { "principalId": "A3NL1KOZZKExample" },
                  "arn": "arn:aws:s3:::amzn-s3-demo-bucket"
                },
                "object": {
                  "key": "staging/uploads/holiday+photo%C3%A9%2B1.jpg",
                  "size": 1024,
                  "eTag": "d41d8cd98f00b204e9800998ecf8427e",
                  "versionId": "096fKKXTRTtl3on89fVO.nfljtsv6qko",
                  "sequencer": "0055AED6DCD90281E5"
                }
              }
            }
          ]
        }
        """;

    [Fact]
    public void Should_read_every_field_the_worker_needs_with_MassTransits_json_options()
    {
        var notification = JsonSerializer.Deserialize<S3EventNotification>(AwsExample, SystemTextJsonMessageSerializer.Options)!;

        var record = Assert.Single(notification.Records!);
        Assert.True(record.IsObjectCreated);
        Assert.Equal(("2.1", "aws:s3", "us-west-2"), (record.EventVersion, record.EventSource, record.AwsRegion));
        Assert.Equal(DateTimeOffset.UnixEpoch, record.EventTime);
        Assert.Equal("C3D13FE58DE4C810", record.ResponseElements!.RequestId);
        Assert.Equal(("amzn-s3-demo-bucket", "testConfigRule"), (record.S3!.Bucket!.Name, record.S3.ConfigurationId));
        Assert.Equal((1024L, "d41d8cd98f00b204e9800998ecf8427e", "0055AED6DCD90281E5"),
            (record.S3.Object!.Size!.Value, record.S3.Object.ETag, record.S3.Object.Sequencer));
        Assert.Equal("staging/uploads/holiday photoé+1.jpg", record.S3.Object.DecodedKey);
    }

    [Fact]
    public void Should_tell_s3s_test_message_from_an_event()
    {
        const string test = """{"Service":"Amazon S3","Event":"s3:TestEvent","Time":"2026-11-27T10:00:00.000Z","Bucket":"b","RequestId":"r","HostId":"h"}""";

        var notification = JsonSerializer.Deserialize<S3EventNotification>(test, SystemTextJsonMessageSerializer.Options)!;

        Assert.Null(notification.Records);
        Assert.Equal((S3EventNotification.TestEvent, "b"), (notification.Event, notification.Bucket));
    }

    [Theory]
    [InlineData("ObjectCreated:Put", true)]
    [InlineData("ObjectCreated:CompleteMultipartUpload", true)]
    [InlineData("ObjectCreated:Copy", true)]
    [InlineData("ObjectRemoved:Delete", false)]
    [InlineData("s3:ObjectCreated:Put", false)]
    public void Should_count_only_object_created_events_as_new_objects(string eventName, bool created) =>
        Assert.Equal(created, new S3EventRecord { EventName = eventName }.IsObjectCreated);

    [Fact]
    public void Should_find_the_image_of_a_direct_upload_key_and_nothing_else()
    {
        var id = Guid.NewGuid();
        Assert.True(BlobKeys.TryParseDirectUpload(BlobKeys.DirectUpload(id), out var parsed));
        Assert.Equal(id, parsed);

        foreach (var other in new[] { BlobKeys.ImageOriginal(id), $"uploads/{id:N}/x", $"uploads/{id:D}", $"uploads/{id:N}".ToUpperInvariant(), "uploads/" })
            Assert.False(BlobKeys.TryParseDirectUpload(other, out _), other);
    }
}
