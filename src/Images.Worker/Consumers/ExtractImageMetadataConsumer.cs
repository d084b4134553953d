using MassTransit;
using Microsoft.EntityFrameworkCore;
using Shop.Contracts.Images;
using Shop.Images.Worker.Persistence;
using Shop.Images.Worker.Processing;
using Shop.Messaging.EntityFrameworkCore;
using System.Text.Json;

namespace Shop.Images.Worker.Consumers;

/// <summary>
/// Reads camera metadata of an uploaded image into <c>image_metadata</c>, one row per image: a second run for the same
/// image (a re-processing) updates that row. The metadata is read whenever the container's structure passes its
/// budgets, even when the pixels cannot be decoded (a header over the pixel budget, a JPEG with no usable height): the
/// event then says why. Parsing holds no database transaction; the row, the event and the inbox commit together.
/// </summary>
[ConsumesOutsideTransaction]
public sealed class ExtractImageMetadataConsumer(
    UntrustedImageLoader loader,
    CameraMetadataReader reader,
    ImagesDbContext db,
    TimeProvider time,
    ILogger<ExtractImageMetadataConsumer> logger) : IConsumer<ExtractImageMetadata>
{
    public async Task Consume(ConsumeContext<ExtractImageMetadata> context)
    {
        var command = context.Message;
        var cancellationToken = context.CancellationToken;

        var bytes = await loader.ReadUploadedAsync(command.BlobKey, command.SizeBytes, command.Format, cancellationToken);
        var structure = loader.CheckStructure(bytes);
        ImageHeader header;
        string? pixelsUnreadable = null;
        try
        {
            header = await loader.ReadHeaderAsync(bytes, structure, cancellationToken);
        }
        catch (InvalidImageException unreadable)
        {
            pixelsUnreadable = unreadable.Message;
            header = new ImageHeader(structure.Format, 0, 0, structure.Frames);
        }

        var metadata = await loader.ReadMetadataAsync(bytes, reader, cancellationToken);

        var record = await db.ImageMetadata.SingleOrDefaultAsync(x => x.ImageId == command.ImageId, cancellationToken);
        if (record is null)
        {
            record = new ImageMetadataRecord { ImageId = command.ImageId };
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

        // Left unsaved on purpose: the row commits with the event and the inbox row once the consumer returns.
        await context.Publish(metadata.ToEvent(command.ImageId, header) with { Attempt = command.Attempt, PixelsUnreadable = pixelsUnreadable },
            cancellationToken);
        logger.LogInformation("Extracted {TagCount} metadata tags of image {ImageId}, attempt {Attempt}", metadata.TagCount, command.ImageId,
            command.Attempt);
    }
}
