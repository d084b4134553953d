using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Shop.BlobStorage;
using Shop.Contracts.Images;
using Shop.ProductImages.Domain;
using Shop.ProductImages.Persistence;
using Shop.ProductImages.Upload;
using Shop.Messaging;

namespace Shop.ProductImages.Consumers;

/// <summary>
/// A direct upload arrived in storage: give it the checks an API upload gets (size cap, format sniffed from the bytes,
/// and the content type it was declared with), copy the bytes that passed to the image's original key, which only our
/// services write, and publish the same <see cref="ImageUploaded"/> an API upload publishes. The upload form can be
/// posted again until it expires, so the upload key is never read again: only an image still
/// <see cref="ProductImageStatus.AwaitingUpload"/> moves on, and whatever arrives later is deleted.
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
        if (image is null || stored.BlobKey != BlobKeys.DirectUpload(image.Id))
        {
            logger.LogWarning("An upload arrived as {BlobKey} for image {ImageId}, which is not recorded with that key", stored.BlobKey, stored.ImageId);
            return;
        }

        if (image.Status != ProductImageStatus.AwaitingUpload)
        {
            await blobs.DeleteAsync(stored.BlobKey, cancellationToken);
            logger.LogInformation("Upload of image {ImageId} was received already (status {Status}); removed what arrived since", image.Id, image.Status);
            return;
        }

        var maxBytes = options.Value.MaxUploadBytes;
        var (bytes, rejection) = await ReadCapped(stored.BlobKey, maxBytes, cancellationToken);
        var format = bytes is null ? null : ImageFormatSniffer.Sniff(bytes.AsSpan(0, Math.Min(bytes.Length, ImageFormatSniffer.HeaderLength)));
        rejection ??= format is null ? "The file is not a JPEG, PNG, WebP, GIF, TIFF or BMP image."
            : image.ContentType.Length > 0 && image.ContentType != format.ContentType
                ? $"The upload was declared {image.ContentType} but is {format.ContentType}."
                : null;

        var now = time.GetUtcNow();
        if (rejection is not null)
        {
            image.ProcessingFailed(rejection, now);
            await store.Db.SaveChangesAsync(cancellationToken);
            // An API upload that fails these checks is never stored; a direct one is removed once the verdict is saved.
            await blobs.DeleteAsync(stored.BlobKey, cancellationToken);
            logger.LogWarning("Refused the direct upload of image {ImageId}: {Reason}", image.Id, rejection);
            return;
        }

        // The checked bytes themselves become the original: a later post to the form cannot swap them.
        var original = BlobKeys.ImageOriginal(image.Id);
        using (var content = new MemoryStream(bytes!, writable: false))
            await blobs.PutAsync(original, content, format!.ContentType, cancellationToken);

        image.UploadReceived(format.Name, format.ContentType, bytes!.Length, original, now);
        await context.Publish(new ImageUploaded(image.Id, image.Sku, original, format.ContentType, format.Name, bytes.Length, now.UtcDateTime),
            cancellationToken);
        await store.Db.SaveChangesAsync(cancellationToken);
        await blobs.DeleteAsync(stored.BlobKey, cancellationToken);
        logger.LogInformation("Received the direct upload of image {ImageId} for product {Sku}: {Format}, {SizeBytes} bytes",
            image.Id, image.Sku, format.Name, bytes.Length);
    }

    /// <summary>The upload's bytes, or why not: never more than <paramref name="maxBytes"/> are read.</summary>
    async Task<(byte[]? Bytes, string? Rejection)> ReadCapped(string key, long maxBytes, CancellationToken cancellationToken)
    {
        // Storage told us the object exists: not finding it is worth another try, not a verdict on the image.
        await using var blob = await blobs.OpenReadAsync(key, cancellationToken)
            ?? throw new TransientException($"The upload is not in blob storage under {key}.");
        if (blob.Length > maxBytes)
            return (null, $"Images may be at most {maxBytes} bytes; the upload has {blob.Length}.");

        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = await blob.Content.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > maxBytes)
                return (null, $"Images may be at most {maxBytes} bytes; the upload has more.");
            buffer.Write(chunk, 0, read);
        }

        return buffer.Length == 0 ? (null, "The uploaded file is empty.") : (buffer.ToArray(), null);
    }
}
