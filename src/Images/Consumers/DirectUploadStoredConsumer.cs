using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Shop.BlobStorage;
using Shop.Contracts.Images;
using Shop.Images.Domain;
using Shop.Images.Persistence;
using Shop.Images.Upload;
using Shop.Messaging;

namespace Shop.Images.Consumers;

/// <summary>
/// A direct upload arrived in storage: give it the checks an API upload gets (size cap, format sniffed from the
/// bytes), then publish the same <see cref="ImageUploaded"/> an API upload publishes. Only an image still
/// <see cref="ProductImageStatus.AwaitingUpload"/> moves on, so a repeated notification changes nothing.
/// </summary>
public sealed class DirectUploadStoredConsumer(
    ProductImagesStore store,
    IBlobStorage blobs,
    IOptions<ProductImageOptions> options,
    TimeProvider time,
    ILogger<DirectUploadStoredConsumer> logger) : IConsumer<DirectUploadStored>
{
    public async Task Consume(ConsumeContext<DirectUploadStored> context)
    {
        var stored = context.Message;
        var cancellationToken = context.CancellationToken;

        var image = await store.Images.SingleOrDefaultAsync(x => x.Id == stored.ImageId, cancellationToken);
        if (image is null || image.OriginalBlobKey != stored.BlobKey)
        {
            logger.LogWarning("An upload arrived as {BlobKey} for image {ImageId}, which is not recorded with that key", stored.BlobKey, stored.ImageId);
            return;
        }

        if (image.Status != ProductImageStatus.AwaitingUpload)
        {
            logger.LogInformation("Upload of image {ImageId} was received already; status {Status}", image.Id, image.Status);
            return;
        }

        var blob = await blobs.OpenReadAsync(stored.BlobKey, cancellationToken);
        if (blob is null)
        {
            // Storage told us the object exists: not finding it is worth another try, not a verdict on the image.
            throw new TransientException($"The upload of image {image.Id} is not in blob storage under {stored.BlobKey}.");
        }

        SniffedFormat? format;
        long length;
        await using (blob)
        {
            length = blob.Length;
            var header = new byte[ImageFormatSniffer.HeaderLength];
            var read = await blob.Content.ReadAtLeastAsync(header, header.Length, throwOnEndOfStream: false, cancellationToken);
            format = ImageFormatSniffer.Sniff(header.AsSpan(0, read));
        }

        var now = time.GetUtcNow();
        var maxBytes = options.Value.MaxUploadBytes;
        var rejection = length == 0 ? "The uploaded file is empty."
            : length > maxBytes ? $"Images may be at most {maxBytes} bytes; the upload has {length}."
            : format is null ? "The file is not a JPEG, PNG, WebP, GIF, TIFF or BMP image."
            : null;
        if (rejection is not null)
        {
            image.ProcessingFailed(rejection, now);
            await store.Db.SaveChangesAsync(cancellationToken);
            // An API upload that fails these checks is never stored; a direct one is removed once the verdict is saved.
            await blobs.DeleteAsync(stored.BlobKey, cancellationToken);
            logger.LogWarning("Refused the direct upload of image {ImageId}: {Reason}", image.Id, rejection);
            return;
        }

        image.UploadReceived(format!.Name, format.ContentType, length, now);
        await context.Publish(new ImageUploaded(image.Id, image.Sku, stored.BlobKey, format.ContentType, format.Name, length, now.UtcDateTime),
            cancellationToken);
        await store.Db.SaveChangesAsync(cancellationToken);
        logger.LogInformation("Received the direct upload of image {ImageId} for product {Sku}: {Format}, {SizeBytes} bytes",
            image.Id, image.Sku, format.Name, length);
    }
}
