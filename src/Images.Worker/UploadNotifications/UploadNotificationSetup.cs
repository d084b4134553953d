using Shop.Messaging;
using Microsoft.Extensions.Options;
using Shop.BlobStorage;
using Shop.BlobStorage.S3;
using Shop.BlobStorage.S3.Events;

namespace Shop.Images.Worker.UploadNotifications;

/// <summary>
/// At start, wires the bucket to the notification queue (<see cref="S3UploadNotificationProvisioner"/>): new objects
/// under the upload prefix are reported to <c>Images:UploadNotifications:QueueName</c>. A failure stops the start,
/// since without it direct uploads would wait forever.
/// </summary>
public sealed class UploadNotificationSetup(
    IBlobStorage blobs,
    IOptions<BlobStorageOptions> storageOptions,
    IOptions<ImageProcessingOptions> options,
    IOptions<MessagingOptions> messaging,
    ILoggerFactory loggers) : IHostedService
{
    public const string ConfigurationId = "shop-image-uploads";

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var storage = blobs as S3BlobStorage ?? throw new InvalidOperationException("S3 upload notifications need BlobStorage:Provider=S3.");
        var s3Options = storageOptions.Value.S3;
        using var s3 = BlobStorageServiceCollectionExtensions.CreateS3Client(s3Options);
        using var sqs = BlobStorageServiceCollectionExtensions.CreateSqsClient(s3Options);

        // The bucket must exist before it can be configured.
        await storage.EnsureBucketAsync(cancellationToken);
        await new S3UploadNotificationProvisioner(s3, sqs, loggers.CreateLogger<S3UploadNotificationProvisioner>())
            .EnsureAsync(storage.Bucket, storage.Prefix + BlobKeys.DirectUploadPrefix, QueueName(),
                ConfigurationId, cancellationToken);
    }

    /// <summary>
    /// The SQS queue the endpoint reads: on the SQS/SNS transport every queue carries the environment prefix, so the
    /// bucket must write to the prefixed name.
    /// </summary>
    string QueueName() =>
        (string.Equals(messaging.Value.Transport, MessagingTransports.AmazonSqs, StringComparison.OrdinalIgnoreCase)
            ? messaging.Value.AmazonSqs.Prefix
            : "") + options.Value.UploadNotifications.QueueName;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
