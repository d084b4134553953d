using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Shop.Contracts.Images;
using Shop.Images.Persistence;

namespace Shop.Images.Consumers;

/// <summary>
/// A worker gave up on an uploaded image (thumbnails or metadata, after its retries): the image is failed for good,
/// with the worker's reason.
/// </summary>
public sealed class ImageProcessingFaultedConsumer(ProductImagesStore store, TimeProvider time, ILogger<ImageProcessingFaultedConsumer> logger)
    : IConsumer<Fault<ImageUploaded>>
{
    public async Task Consume(ConsumeContext<Fault<ImageUploaded>> context)
    {
        var fault = context.Message;
        var imageId = fault.Message.ImageId;
        var image = await store.Images.SingleOrDefaultAsync(x => x.Id == imageId, context.CancellationToken);
        if (image is null)
        {
            logger.LogWarning("Processing of image {ImageId} failed, but the image is not recorded", imageId);
            return;
        }

        var reason = fault.Exceptions.FirstOrDefault()?.Message is { Length: > 0 } message ? message : "Processing failed.";
        image.ProcessingFailed(reason, time.GetUtcNow());
        await store.Db.SaveChangesAsync(context.CancellationToken);
        logger.LogWarning("Image {ImageId} failed: {Reason}", imageId, reason);
    }
}
