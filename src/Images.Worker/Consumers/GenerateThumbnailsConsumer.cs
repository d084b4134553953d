using MassTransit;
using Shop.BlobStorage;
using Shop.Contracts.Images;
using Shop.Images.Worker.Processing;

namespace Shop.Images.Worker.Consumers;

/// <summary>
/// Renders and stores every configured thumbnail of an uploaded image, and the copy of the original the public may
/// download (metadata removed). The blob keys depend only on the image id, size and format, so a redelivery
/// overwrites the same files instead of adding more.
/// </summary>
public sealed class GenerateThumbnailsConsumer(
    UntrustedImageLoader loader,
    ThumbnailRenderer renderer,
    IBlobStorage blobs,
    ILogger<GenerateThumbnailsConsumer> logger) : IConsumer<ImageUploaded>
{
    public async Task Consume(ConsumeContext<ImageUploaded> context)
    {
        var uploaded = context.Message;
        var cancellationToken = context.CancellationToken;

        var bytes = await loader.ReadUploadedAsync(uploaded, cancellationToken);
        var (rendered, width, height) = await loader.DecodeAsync(bytes, "rendering thumbnails",
            (image, token) => (renderer.Render(image, token), image.Width, image.Height), cancellationToken);

        var thumbnails = new List<GeneratedThumbnail>(rendered.Count);
        foreach (var thumbnail in rendered)
        {
            var key = BlobKeys.ImageThumbnail(uploaded.ImageId, thumbnail.Size, thumbnail.Format.Extension);
            using var content = new MemoryStream(thumbnail.Bytes, writable: false);
            await blobs.PutAsync(key, content, thumbnail.Format.ContentType, cancellationToken);
            thumbnails.Add(new GeneratedThumbnail(thumbnail.Size, thumbnail.Format.Name, key, thumbnail.Width, thumbnail.Height,
                thumbnail.Format.ContentType));
        }

        // The public download of the original (GET /images/{id}/original): the uploaded file without its metadata.
        if (MetadataStripper.Strip(bytes, uploaded.Format) is { } stripped)
        {
            using var content = new MemoryStream(stripped, writable: false);
            await blobs.PutAsync(BlobKeys.ImagePublicOriginal(uploaded.ImageId), content, uploaded.ContentType, cancellationToken);
        }

        await context.Publish(new ThumbnailsGenerated(uploaded.ImageId, thumbnails), cancellationToken);
        logger.LogInformation("Generated {ThumbnailCount} thumbnails of image {ImageId} ({Width}×{Height})",
            thumbnails.Count, uploaded.ImageId, width, height);
    }
}
