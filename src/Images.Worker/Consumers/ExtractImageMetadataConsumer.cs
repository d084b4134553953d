using MassTransit;
using Microsoft.EntityFrameworkCore;
using Shop.Contracts.Images;
using Shop.Images.Worker.Persistence;
using Shop.Images.Worker.Processing;
using System.Text.Json;

namespace Shop.Images.Worker.Consumers;

/// <summary>
/// Reads camera metadata of an uploaded image into <c>image_metadata</c>, one row per image: a second
/// <see cref="ImageUploaded"/> for the same image (a re-publish, not caught by the inbox) updates that row.
/// </summary>
public sealed class ExtractImageMetadataConsumer(
    UntrustedImageLoader loader,
    CameraMetadataReader reader,
    ImagesDbContext db,
    TimeProvider time,
    ILogger<ExtractImageMetadataConsumer> logger) : IConsumer<ImageUploaded>
{
    public async Task Consume(ConsumeContext<ImageUploaded> context)
    {
        var uploaded = context.Message;
        var cancellationToken = context.CancellationToken;

        var bytes = await loader.ReadUploadedAsync(uploaded, cancellationToken);
        var header = await loader.IdentifyAsync(bytes, cancellationToken);
        var metadata = await loader.ReadMetadataAsync(bytes, reader, cancellationToken);

        var record = await db.ImageMetadata.SingleOrDefaultAsync(x => x.ImageId == uploaded.ImageId, cancellationToken);
        if (record is null)
        {
            record = new ImageMetadataRecord { ImageId = uploaded.ImageId };
            db.ImageMetadata.Add(record);
        }

        record.Format = header.Format;
        record.Width = header.Width;
        record.Height = header.Height;
        record.CameraMake = metadata.CameraMake;
        record.CameraModel = metadata.CameraModel;
        record.CapturedAt = metadata.CapturedAt;
        record.ExposureTimeSeconds = metadata.ExposureTimeSeconds;
        record.FNumber = metadata.FNumber;
        record.Iso = metadata.Iso;
        record.FocalLengthMillimetres = metadata.FocalLengthMillimetres;
        record.Orientation = metadata.Orientation;
        record.Latitude = metadata.Latitude;
        record.Longitude = metadata.Longitude;
        record.Tags = JsonSerializer.Serialize(metadata.Tags);
        record.ExtractedAt = time.GetUtcNow();
        await db.SaveChangesAsync(cancellationToken);

        await context.Publish(metadata.ToEvent(uploaded.ImageId, header), cancellationToken);
        logger.LogInformation("Extracted {TagCount} metadata tags of image {ImageId}", metadata.TagCount, uploaded.ImageId);
    }
}
