using System.Text.Json;
using Microsoft.Extensions.Logging;
using Shop.Contracts.Images;
using Shop.ProductImages.Domain;
using Shop.ProductImages.Persistence;

namespace Shop.ProductImages.StateMachines;

/// <summary>
/// Writes through the consume scope's DbContext, the one the durable store holds the saga's transaction on, so the
/// image row changes together with the saga state and the messages the saga sends.
/// </summary>
sealed class ProductImageRecorder(ProductImagesStore store, ILogger<ProductImageRecorder> logger) : IProductImageRecorder
{
    public async Task Thumbnails(Guid imageId, IReadOnlyList<GeneratedThumbnail> thumbnails, DateTimeOffset at, CancellationToken cancellationToken)
    {
        if (await Find(imageId, "thumbnails", cancellationToken) is { } image)
            image.ThumbnailsStored(JsonSerializer.Serialize(thumbnails, Json.Options), at);
    }

    public async Task Metadata(Guid imageId, ImageMetadataExtracted metadata, DateTimeOffset at, CancellationToken cancellationToken)
    {
        if (await Find(imageId, "metadata", cancellationToken) is not { } image)
            return;

        // What GET /images/{id} shows to anyone: never where the photo was taken, whoever put it on the bus.
        var shown = metadata with { Latitude = null, Longitude = null };
        image.MetadataExtracted(JsonSerializer.Serialize(shown, Json.Options), metadata.Width, metadata.Height, at);
    }

    public async Task Status(Guid imageId, ProductImageStatus status, string? reason, DateTimeOffset at, CancellationToken cancellationToken)
    {
        if (await Find(imageId, $"status {status}", cancellationToken) is { } image)
            image.ProcessingSettled(status, reason, at);
    }

    async Task<ProductImage?> Find(Guid imageId, string what, CancellationToken cancellationToken)
    {
        // Find, not a query: a step that records twice (thumbnails, then the verdict) reads the row once.
        var image = await store.Images.FindAsync([imageId], cancellationToken);
        if (image is null)
            logger.LogWarning("Image {ImageId} has no row to record {What} on", imageId, what);
        return image;
    }
}
