using MassTransit;
using Shop.BlobStorage;
using Shop.Contracts.Images;
using Shop.Images.Worker.Processing;
using Shop.Messaging.EntityFrameworkCore;

namespace Shop.Images.Worker.Consumers;

/// <summary>
/// Renders and stores every configured thumbnail of an uploaded image, and the copy of the original the public may
/// download (metadata removed). The blob keys depend only on the image id, size and format, so a redelivery
/// overwrites the same files instead of adding more. A truncated JPEG gets thumbnails of the part that is there,
/// announced as partial. Decoding and blob writes hold no database transaction (and so no pooled connection).
/// </summary>
[ConsumesOutsideTransaction]
public sealed class GenerateThumbnailsConsumer(
    UntrustedImageLoader loader,
    ThumbnailRenderer renderer,
    IBlobStorage blobs,
    ILogger<GenerateThumbnailsConsumer> logger) : IConsumer<GenerateThumbnails>
{
    public async Task Consume(ConsumeContext<GenerateThumbnails> context)
    {
        var command = context.Message;
        var cancellationToken = context.CancellationToken;

        var bytes = await loader.ReadUploadedAsync(command.BlobKey, command.SizeBytes, command.Format, cancellationToken);
        var header = await loader.IdentifyAsync(bytes, cancellationToken);
        var (rendered, width, height) = await loader.DecodeAsync(bytes, "rendering thumbnails",
            (image, token) => (renderer.Render(image, token), image.Width, image.Height), cancellationToken);

        var thumbnails = new List<GeneratedThumbnail>(rendered.Count);
        foreach (var thumbnail in rendered)
        {
            var key = BlobKeys.ImageThumbnail(command.ImageId, thumbnail.Size, thumbnail.Format.Extension);
            using var content = new MemoryStream(thumbnail.Bytes, writable: false);
            await blobs.PutAsync(key, content, thumbnail.Format.ContentType, cancellationToken);
            thumbnails.Add(new GeneratedThumbnail(thumbnail.Size, thumbnail.Format.Name, key, thumbnail.Width, thumbnail.Height,
                thumbnail.Format.ContentType));
        }

        // The public download of the original (GET /images/{id}/original): the uploaded file without its metadata.
        if (header.Damage is null && MetadataStripper.Strip(bytes, command.Format) is { } stripped)
        {
            using var content = new MemoryStream(stripped, writable: false);
            await blobs.PutAsync(BlobKeys.ImagePublicOriginal(command.ImageId), content, command.ContentType, cancellationToken);
        }

        await context.Publish(new ThumbnailsGenerated(command.ImageId, thumbnails, header.Damage, command.Attempt), cancellationToken);
        logger.LogInformation("Generated {ThumbnailCount} thumbnails of image {ImageId} ({Width}×{Height}), attempt {Attempt}{Damage}",
            thumbnails.Count, command.ImageId, width, height, command.Attempt, header.Damage is null ? "" : " (partial)");
    }
}
