using System.Text.Json;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Shop.Contracts.Images;
using Shop.Images.Persistence;

namespace Shop.Images.Consumers;

/// <summary>Records the thumbnails on the image; with the metadata already there the image is now processed.</summary>
public sealed class ThumbnailsGeneratedConsumer(ProductImagesStore store, TimeProvider time, ILogger<ThumbnailsGeneratedConsumer> logger)
    : IConsumer<ThumbnailsGenerated>
{
    public async Task Consume(ConsumeContext<ThumbnailsGenerated> context)
    {
        var message = context.Message;
        var image = await store.Images.SingleOrDefaultAsync(x => x.Id == message.ImageId, context.CancellationToken);
        if (image is null)
        {
            logger.LogWarning("Thumbnails arrived for image {ImageId}, which is not recorded", message.ImageId);
            return;
        }

        image.ThumbnailsStored(JsonSerializer.Serialize(message.Thumbnails, Json.Options), time.GetUtcNow());
        await store.Db.SaveChangesAsync(context.CancellationToken);
        logger.LogInformation("Image {ImageId} has {ThumbnailCount} thumbnails; status {Status}", image.Id, message.Thumbnails.Count, image.Status);
    }
}
