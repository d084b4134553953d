using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Amazon.S3.Model;
using Amazon.SQS.Model;
using Microsoft.EntityFrameworkCore;
using Shop.BlobStorage.S3.Events;
using Shop.Images.Endpoints;
using Shop.Images.Tests.Infrastructure;
using Shop.Images.Worker.UploadNotifications;
using Shop.Testing;
using Xunit;

namespace Shop.Images.Tests;

public sealed class When_images_are_uploaded_straight_to_s3(S3ImagePipeline pipeline) : IClassFixture<S3ImagePipeline>
{

    [Fact]
    public async Task Should_hand_out_a_presigned_url_and_process_the_upload_once_the_bucket_reports_it()
    {
        var created = await pipeline.CreateUploadUrl("SKU-DIRECT");

        Assert.Equal(("SKU-DIRECT", "AwaitingUpload", "POST"), (created.Sku, created.Status, created.UploadMethod));
        Assert.InRange(created.ExpiresAt, DateTimeOffset.UtcNow.AddMinutes(14), DateTimeOffset.UtcNow.AddMinutes(16));
        Assert.EndsWith($"/{pipeline.Bucket}", created.UploadUrl.AbsolutePath.TrimEnd('/'));
        Assert.Equal(pipeline.ObjectKey(created.Id), created.UploadFields["key"]);
        var location = Location(created);
        Assert.Equal("AwaitingUpload", (await pipeline.Get(location)).Status);

        var bytes = TestImages.Jpeg(400, 200, TestImages.CameraExif());
        await S3ImagePipeline.PostToStorage(created, bytes);
        await pipeline.DeliverNotification(S3Events.ObjectCreated(pipeline.Bucket, pipeline.ObjectKey(created.Id), bytes.Length));

        var image = await Settled(location);
        Assert.Equal("Processed", image.Status);
        Assert.Equal(("jpeg", "image/jpeg", (long)bytes.Length, 400, 200), (image.Format, image.ContentType, image.SizeBytes, image.Width, image.Height));
        Assert.Equal(6, image.Thumbnails.Count);
        Assert.Equal(TestImages.Make, image.Metadata!.Value.GetProperty("cameraMake").GetString());
        Assert.False(image.Metadata.Value.TryGetProperty("latitude", out _));
        using var original = await pipeline.Client.GetAsync(image.OriginalUrl);
        Assert.Equal(("image/jpeg", "nosniff"), (original.Content.Headers.ContentType!.MediaType, original.Headers.GetValues("X-Content-Type-Options").Single()));
        var served = await original.Content.ReadAsByteArrayAsync();
        Assert.Empty(MetadataExtractor.ImageMetadataReader.ReadMetadata(new MemoryStream(served)).OfType<MetadataExtractor.Formats.Exif.GpsDirectory>());
        using var thumbnail = await pipeline.Client.GetAsync(image.Thumbnails[0].Url);
        Assert.Equal(HttpStatusCode.OK, thumbnail.StatusCode);
    }

    [Fact]
    public async Task Should_process_an_upload_once_however_often_the_bucket_reports_it()
    {
        var created = await pipeline.CreateUploadUrl("SKU-TWICE");
        var bytes = TestImages.Png(120, 80);
        await S3ImagePipeline.PostToStorage(created, bytes, "image/png");
        var notification = S3Events.ObjectCreated(pipeline.Bucket, pipeline.ObjectKey(created.Id), bytes.Length);
        var messageId = Guid.NewGuid().ToString();
        await pipeline.DeliverNotification(notification, messageId);
        var first = await Settled(Location(created));
        Assert.Equal("Processed", first.Status);
        await using var worker = pipeline.CreateWorkerDbContext();
        var extractedAt = await worker.ImageMetadata.Where(x => x.ImageId == created.Id).Select(x => x.ExtractedAt).SingleAsync();

        // The same delivery again (the inbox knows its id), and the same event as a new message (S3 and SQS may both repeat).
        await pipeline.DeliverNotification(notification, messageId);
        await pipeline.DeliverNotification(notification);

        await pipeline.WaitUntilQuiet();
        var image = await pipeline.Get(Location(created));
        var metadata = await worker.ImageMetadata.AsNoTracking().Where(x => x.ImageId == created.Id).Select(x => x.ExtractedAt).SingleAsync();
        Assert.True(image.UpdatedAt == first.UpdatedAt && metadata == extractedAt, "the image was processed a second time");
        Assert.Empty(await pipeline.Queues.Take($"{pipeline.NotificationQueue}_error"));
    }

    [Fact]
    public async Task Should_fail_a_direct_upload_that_is_not_an_image_and_remove_it()
    {
        var created = await pipeline.CreateUploadUrl("SKU-NOISE");
        var noise = "not an image at all, whatever the name says"u8.ToArray();
        await S3ImagePipeline.PostToStorage(created, noise);

        await pipeline.DeliverNotification(S3Events.ObjectCreated(pipeline.Bucket, pipeline.ObjectKey(created.Id), noise.Length));

        var image = await Settled(Location(created));
        Assert.Equal("Failed", image.Status);
        Assert.Contains("not a JPEG", image.FailureReason);
        using var original = await pipeline.Client.GetAsync(image.OriginalUrl);
        Assert.Equal(HttpStatusCode.NotFound, original.StatusCode);
    }

    [Fact]
    public async Task Should_bind_the_upload_form_to_its_key_size_range_and_declared_content_type()
    {
        var created = await pipeline.CreateUploadUrl("SKU-POLICY", "image/png");

        // fauxqs accepts any form without checking its policy; AWS S3 enforces it. So the test reads what we signed.
        var policy = JsonDocument.Parse(Convert.FromBase64String(created.UploadFields["Policy"])).RootElement;
        var conditions = policy.GetProperty("conditions").EnumerateArray().Select(c => c.GetRawText().Replace(" ", "")).ToList();
        Assert.Contains($"[\"content-length-range\",1,{created.MaxSizeBytes}]", conditions);
        Assert.Contains($"{{\"key\":\"{pipeline.ObjectKey(created.Id)}\"}}", conditions);
        Assert.Contains($"{{\"bucket\":\"{pipeline.Bucket}\"}}", conditions);
        Assert.Contains(conditions, c => c.Contains("Content-Type", StringComparison.OrdinalIgnoreCase) && c.Contains("\"image/png\""));
        Assert.InRange(policy.GetProperty("expiration").GetDateTimeOffset(), created.ExpiresAt.AddSeconds(-1), created.ExpiresAt.AddSeconds(1));
        Assert.Equal("image/png", created.UploadFields["Content-Type"]);
        Assert.Contains("x-amz-signature", created.UploadFields.Keys, StringComparer.OrdinalIgnoreCase);

        using var refused = await pipeline.Client.PostAsJsonAsync("/products/SKU-POLICY/images/upload-url", new DirectUploadRequest("text/html"));
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
    }

    [Fact]
    public async Task Should_fail_an_upload_of_another_type_than_declared()
    {
        var created = await pipeline.CreateUploadUrl("SKU-DECLARED", "image/png");
        var jpeg = TestImages.Jpeg(40, 40);
        // Storage would refuse the form's content type on AWS; the bytes are what we check ourselves.
        await S3ImagePipeline.PostToStorage(created, jpeg, "image/png");
        await pipeline.DeliverNotification(S3Events.ObjectCreated(pipeline.Bucket, pipeline.ObjectKey(created.Id), jpeg.Length));

        var image = await Settled(Location(created));

        Assert.Equal("Failed", image.Status);
        Assert.Equal("The upload was declared image/png but is image/jpeg.", image.FailureReason);
    }

    [Fact]
    public async Task Should_keep_the_checked_upload_when_the_form_is_posted_again_with_something_else()
    {
        var created = await pipeline.CreateUploadUrl("SKU-REPOST");
        var photo = TestImages.Png(60, 40);
        await S3ImagePipeline.PostToStorage(created, photo, "image/png");
        await pipeline.DeliverNotification(S3Events.ObjectCreated(pipeline.Bucket, pipeline.ObjectKey(created.Id), photo.Length));
        var first = await Settled(Location(created));
        Assert.Equal("Processed", first.Status);

        var html = "<html><script>alert(document.cookie)</script></html>"u8.ToArray();
        await S3ImagePipeline.PostToStorage(created, html, "text/html");
        await pipeline.DeliverNotification(S3Events.ObjectCreated(pipeline.Bucket, pipeline.ObjectKey(created.Id), html.Length));

        using var s3 = await Fauxqs.S3Client();
        await Eventually.Returns(() => ObjectExists(s3, pipeline.ObjectKey(created.Id)), exists => !exists, "the second upload to be removed");
        using var original = await pipeline.Client.GetAsync(first.OriginalUrl);
        Assert.Equal(("image/png", "nosniff"), (original.Content.Headers.ContentType!.MediaType, original.Headers.GetValues("X-Content-Type-Options").Single()));
        Assert.Equal(photo, await original.Content.ReadAsByteArrayAsync());
        Assert.Equal("Processed", (await pipeline.Get(Location(created))).Status);
    }

    [Fact]
    public async Task Should_never_serve_what_is_posted_to_the_form_of_a_failed_upload()
    {
        var created = await pipeline.CreateUploadUrl("SKU-XSS");
        var noise = "not an image"u8.ToArray();
        await S3ImagePipeline.PostToStorage(created, noise, "image/jpeg");
        await pipeline.DeliverNotification(S3Events.ObjectCreated(pipeline.Bucket, pipeline.ObjectKey(created.Id), noise.Length));
        var failed = await Settled(Location(created));
        Assert.Equal("Failed", failed.Status);

        var html = "<html><script>alert(document.cookie)</script></html>"u8.ToArray();
        await S3ImagePipeline.PostToStorage(created, html, "text/html");
        await pipeline.DeliverNotification(S3Events.ObjectCreated(pipeline.Bucket, pipeline.ObjectKey(created.Id), html.Length));
        using var s3 = await Fauxqs.S3Client();
        await Eventually.Returns(() => ObjectExists(s3, pipeline.ObjectKey(created.Id)), exists => !exists, "the later upload to be removed");

        using var original = await pipeline.Client.GetAsync(failed.OriginalUrl);
        Assert.Equal(HttpStatusCode.NotFound, original.StatusCode);
        Assert.Equal("application/problem+json", original.Content.Headers.ContentType?.MediaType);
    }

    async Task<bool> ObjectExists(Amazon.S3.IAmazonS3 s3, string key)
    {
        try
        {
            await s3.GetObjectMetadataAsync(pipeline.Bucket, key);
            return true;
        }
        catch (Amazon.S3.AmazonS3Exception exception) when (exception.StatusCode == HttpStatusCode.NotFound)
        {
            return false;
        }
    }

    [Fact]
    public async Task Should_leave_alone_whatever_the_bucket_reports_that_is_not_a_new_upload()
    {
        // Nothing is put to the URL: on the SQS transport a real upload would be reported by the bucket itself.
        var created = await pipeline.CreateUploadUrl("SKU-IGNORED");
        var key = pipeline.ObjectKey(created.Id);

        await pipeline.DeliverNotification(S3Events.ObjectRemoved(pipeline.Bucket, key));
        await pipeline.DeliverNotification(S3Events.ObjectCreated("someone-elses-bucket", key, 10));
        await pipeline.DeliverNotification(S3Events.ObjectCreated(pipeline.Bucket, $"{pipeline.Prefix}images/{created.Id:N}/original", 10));
        await pipeline.DeliverNotification(S3Events.ObjectCreated(pipeline.Bucket, $"{pipeline.Prefix}uploads/{created.Id:N} copy", 10));
        await pipeline.DeliverNotification(S3Events.ObjectCreated(pipeline.Bucket, key[pipeline.Prefix.Length..], 10));
        await pipeline.DeliverNotification(S3Events.TestEvent(pipeline.Bucket));

        await pipeline.WaitUntilQuiet();
        Assert.Equal("AwaitingUpload", (await pipeline.Get(Location(created))).Status);
        Assert.Empty(await pipeline.Queues.Take($"{pipeline.NotificationQueue}_error"));
    }

    [Fact]
    public async Task Should_move_a_body_that_is_no_s3_notification_to_the_error_queue()
    {
        await pipeline.DeliverNotification("""{"hello":"world"}""");

        var errored = await Eventually.Returns(() => pipeline.Queues.Take($"{pipeline.NotificationQueue}_error"),
            m => m.Count > 0, "the body in the error queue");
        Assert.Contains("hello", errored[0].Body);
    }

    [Theory]
    [InlineData("..%2F..%2Fetc")]
    [InlineData("sku%20with%20spaces")]
    [InlineData("-leading-dash")]
    public async Task Should_answer_404_for_a_sku_that_cannot_exist(string sku)
    {
        using var response = await pipeline.Client.PostAsync($"/products/{sku}/images/upload-url", null);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Should_have_the_bucket_notify_the_queue_of_a_presigned_put_and_process_the_image_from_that_event()
    {
        using var s3 = await Fauxqs.S3Client();
        using var sqs = await Fauxqs.SqsClient();
        var queueUrl = (await sqs.GetQueueUrlAsync(pipeline.NotificationSqsQueue)).QueueUrl;
        var configuration = await s3.GetBucketNotificationAsync(new GetBucketNotificationRequest { BucketName = pipeline.Bucket });
        var ours = configuration.QueueConfigurations?.SingleOrDefault(q => q.Id == UploadNotificationSetup.ConfigurationId);
        Assert.True(ours is not null,
            "The bucket has no notification configuration after the worker started: this fauxqs does not keep S3 bucket notifications. " +
            "fauxqs 2.4.1 alone ignores PutBucketNotificationConfiguration; scripts/fauxqs.sh loads the shim that adds it " +
            "(restart an instance started by an older script: scripts/fauxqs.sh --stop && scripts/fauxqs.sh).");
        Assert.EndsWith($":{pipeline.NotificationSqsQueue}", ours.Queue);
        Assert.Equal($"{pipeline.Prefix}uploads/", ours.Filter.S3KeyFilter.FilterRules.Single(r => r.Name == "prefix").Value);
        var policy = (await sqs.GetQueueAttributesAsync(queueUrl, ["Policy"])).Attributes["Policy"];
        Assert.Contains("s3.amazonaws.com", policy);
        Assert.Contains($"arn:aws:s3:::{pipeline.Bucket}", policy);

        var created = await pipeline.CreateUploadUrl("SKU-SQS");
        var bytes = TestImages.Webp(64, 48);
        await S3ImagePipeline.PostToStorage(created, bytes, "image/webp");

        if (!TestTransport.IsAmazonSqs)
        {
            // On RabbitMQ nothing reads the SQS queue: the test reads the very body S3 wrote and hands it to the
            // worker's endpoint. On SQS/SNS the worker reads the queue itself, which is the point of the test there.
            var received = await ReceiveUntil(sqs, queueUrl, body => body.Contains(created.Id.ToString("N")));
            var notification = JsonSerializer.Deserialize<S3EventNotification>(received.Body)!;
            var record = Assert.Single(notification.Records!);
            Assert.StartsWith("ObjectCreated:", record.EventName);
            Assert.Equal(("aws:s3", pipeline.Bucket), (record.EventSource, record.S3!.Bucket!.Name));
            Assert.Equal((pipeline.ObjectKey(created.Id), (long?)bytes.Length), (record.S3.Object!.DecodedKey, record.S3.Object.Size));
            Assert.Equal(UploadNotificationSetup.ConfigurationId, record.S3.ConfigurationId);
            await pipeline.DeliverNotification(received.Body, received.MessageId);
        }

        var image = await Settled(Location(created));
        Assert.Equal(("Processed", "webp", 64, 48), (image.Status, image.Format, image.Width, image.Height));
    }

    static Uri Location(DirectUploadCreated created) => new($"/images/{created.Id}", UriKind.Relative);

    Task<ProductImageResponse> Settled(Uri location) =>
        Eventually.Returns(() => pipeline.Get(location), image => image.Status is "Processed" or "Failed", $"image {location} to settle",
            TimeSpan.FromSeconds(60));

    static async Task<Message> ReceiveUntil(Amazon.SQS.IAmazonSQS sqs, string queueUrl, Func<string, bool> wanted)
    {
        var seen = new List<string>();
        Message? found = null;
        await Eventually.Until(async () =>
        {
            var response = await sqs.ReceiveMessageAsync(new ReceiveMessageRequest { QueueUrl = queueUrl, MaxNumberOfMessages = 10, WaitTimeSeconds = 1 });
            foreach (var message in response.Messages ?? [])
            {
                await sqs.DeleteMessageAsync(queueUrl, message.ReceiptHandle);
                if (wanted(message.Body))
                {
                    found = message;
                    break;
                }

                seen.Add(message.Body);
            }

            return found is not null;
        }, $"the S3 notification of the upload to reach {queueUrl}", TimeSpan.FromSeconds(20), () => $"other messages: [{string.Join(", ", seen)}]");
        return found!;
    }
}
