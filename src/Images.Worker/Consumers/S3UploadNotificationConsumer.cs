using MassTransit;
using Shop.BlobStorage;
using Shop.BlobStorage.S3;
using Shop.BlobStorage.S3.Events;
using Shop.Contracts.Images;

namespace Shop.Images.Worker.Consumers;

/// <summary>
/// Turns the bucket's own notification of a new object under <see cref="BlobKeys.DirectUploadPrefix"/> (raw AWS JSON,
/// no envelope) into <see cref="DirectUploadStored"/> for the API, which checks the upload and starts the same
/// pipeline an API upload starts. Anything else the bucket may send (other events, other keys, another bucket, S3's
/// test message) is logged and left alone; a body that is no S3 notification at all goes to the error queue.
/// </summary>
public sealed class S3UploadNotificationConsumer(IBlobStorage blobs, ILogger<S3UploadNotificationConsumer> logger)
    : IConsumer<S3EventNotification>
{
    readonly S3BlobStorage _storage = blobs as S3BlobStorage
        ?? throw new InvalidOperationException("S3 upload notifications need BlobStorage:Provider=S3.");

    public async Task Consume(ConsumeContext<S3EventNotification> context)
    {
        var notification = context.Message;
        if (notification.Records is null)
        {
            if (notification.Event == S3EventNotification.TestEvent)
            {
                logger.LogInformation("Bucket {Bucket} confirmed its notification configuration", notification.Bucket);
                return;
            }

            throw new InvalidDataException("The message is not an S3 event notification: it has neither Records nor an s3:TestEvent.");
        }

        foreach (var record in notification.Records)
        {
            if (ToDirectUpload(record) is { } stored)
                await context.Publish(stored, context.CancellationToken);
        }
    }

    DirectUploadStored? ToDirectUpload(S3EventRecord record)
    {
        var bucket = record.S3?.Bucket?.Name;
        var objectKey = record.S3?.Object?.DecodedKey;
        if (!record.IsObjectCreated)
        {
            logger.LogInformation("Ignored {EventName} of {ObjectKey} in bucket {Bucket}: only new objects are uploads",
                record.EventName, objectKey, bucket);
            return null;
        }

        if (bucket != _storage.Bucket || objectKey is null)
        {
            logger.LogWarning("Ignored {EventName} of {ObjectKey} in bucket {Bucket}: blob storage is bucket {OwnBucket}",
                record.EventName, objectKey, bucket, _storage.Bucket);
            return null;
        }

        if (_storage.BlobKeyOf(objectKey) is not { } blobKey || !BlobKeys.TryParseDirectUpload(blobKey, out var imageId))
        {
            logger.LogWarning("Ignored {EventName} of {ObjectKey}: not an upload key ({Prefix}{UploadPrefix}<image id>)",
                record.EventName, objectKey, _storage.Prefix, BlobKeys.DirectUploadPrefix);
            return null;
        }

        var s3Object = record.S3!.Object!;
        logger.LogInformation("Image {ImageId} was uploaded straight to storage: {ObjectKey}, {SizeBytes} bytes", imageId, objectKey, s3Object.Size);
        return new DirectUploadStored(imageId, blobKey, s3Object.Size ?? 0, s3Object.ETag, record.EventTime.UtcDateTime);
    }
}
