using System.Text.Json;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Shop.Contracts.Images;
using Shop.Images.Persistence;

namespace Shop.Images.Consumers;

/// <summary>Records the extracted metadata and dimensions on the image; with the thumbnails already there it is processed.</summary>
public sealed class ImageMetadataExtractedConsumer(ProductImagesStore store, TimeProvider time, ILogger<ImageMetadataExtractedConsumer> logger)
    : IConsumer<ImageMetadataExtracted>
{
    public async Task Consume(ConsumeContext<ImageMetadataExtracted> context)
    {
        var message = context.Message;
        var image = await store.Images.SingleOrDefaultAsync(x => x.Id == message.ImageId, context.CancellationToken);
        if (image is null)
        {
            logger.LogWarning("Metadata arrived for image {ImageId}, which is not recorded", message.ImageId);
            return;
        }

        // What GET /images/{id} shows to anyone: never where the photo was taken, whoever put it on the bus.
        var shown = message with { Latitude = null, Longitude = null };
        image.MetadataExtracted(JsonSerializer.Serialize(shown, Json.Options), message.Width, message.Height, time.GetUtcNow());
        await store.Db.SaveChangesAsync(context.CancellationToken);
        logger.LogInformation("Image {ImageId} has its metadata; status {Status}", image.Id, image.Status);
    }
}
