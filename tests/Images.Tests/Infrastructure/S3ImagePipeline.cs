using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using RabbitMQ.Client;
using Shop.ProductImages.Endpoints;
using Shop.Testing;

namespace Shop.Images.Tests.Infrastructure;

/// <summary>
/// The image pipeline on S3 blob storage (fauxqs): a bucket and key prefix of its own, and its own notification
/// queue name, so direct uploads can be tested end to end, on whichever transport the suite runs.
/// </summary>
public class S3ImagePipeline : ImagePipeline
{
    public string Bucket { get; } = Fauxqs.NewBucketName("images");
    public string Prefix { get; } = "shop/";
    public string NotificationQueue { get; } = $"t{Guid.NewGuid().ToString("N")[..8]}-image-upload-notifications";

    /// <summary>The SQS queue the bucket writes to (on the SQS/SNS transport, queues carry the environment prefix).</summary>
    public string NotificationSqsQueue => (TestTransport.IsAmazonSqs ? ResourcePrefix : "") + NotificationQueue;

    protected override IDictionary<string, string?> Overrides
    {
        get
        {
            var settings = Fauxqs.S3Settings(Bucket, Prefix);
            settings["Images:UploadNotifications:QueueName"] = NotificationQueue;
            return settings;
        }
    }

    public override async Task InitializeAsync()
    {
        await Fauxqs.Endpoint();
        await base.InitializeAsync();
    }

    /// <summary>The S3 object key of an image's direct upload.</summary>
    public string ObjectKey(Guid imageId) => $"{Prefix}uploads/{imageId:N}";

    public async Task<DirectUploadCreated> CreateUploadUrl(string sku, string? contentType = null)
    {
        using var response = await Client.PostAsJsonAsync($"/products/{sku}/images/upload-url", new DirectUploadRequest(contentType));
        if (response.StatusCode != System.Net.HttpStatusCode.Created)
            throw new Xunit.Sdk.XunitException($"upload-url answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        return (await response.Content.ReadFromJsonAsync<DirectUploadCreated>(JsonSerializerOptions.Web))!;
    }

    /// <summary>What a browser would do with the upload form: one plain HTTP POST, straight to S3, not through our API.</summary>
    public static async Task PostToStorage(DirectUploadCreated created, byte[] content, string contentType = "image/jpeg")
    {
        using var response = await Fauxqs.PostUpload(created.UploadUrl, created.UploadFields, content, contentType);
        if (!response.IsSuccessStatusCode)
            throw new Xunit.Sdk.XunitException($"POST to the upload form answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
    }

    /// <summary>
    /// Puts <paramref name="json"/> on the notification endpoint's queue as S3 would: on SQS a plain message without
    /// attributes, on RabbitMQ a plain AMQP message (content type <c>application/json</c>, no MassTransit envelope).
    /// </summary>
    public async Task DeliverNotification(string json, string? messageId = null)
    {
        if (TestTransport.IsAmazonSqs)
        {
            using var sqs = await Fauxqs.SqsClient();
            var url = (await sqs.GetQueueUrlAsync(NotificationSqsQueue)).QueueUrl;
            await sqs.SendMessageAsync(url, json);
            return;
        }

        var factory = new ConnectionFactory { Uri = new Uri(RabbitMqUrl) };
        await using var connection = await factory.CreateConnectionAsync();
        await using var channel = await connection.CreateChannelAsync();
        var properties = new BasicProperties
        {
            ContentType = "application/json",
            MessageId = messageId ?? Guid.NewGuid().ToString(),
            DeliveryMode = DeliveryModes.Persistent,
        };
        await channel.BasicPublishAsync("", NotificationQueue, mandatory: true, properties, Encoding.UTF8.GetBytes(json));
    }
}
