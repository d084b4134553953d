using Shop.Contracts.Images;
using Shop.ReadModel.Documents;

namespace Shop.ReadModel.Projections;

/// <summary>
/// Applies an image's events to its <see cref="ProductImageDocument"/>. Each event adds one fact
/// (<see cref="ProductImageFacts"/>) that no other event writes, and the status is computed from the facts present, so
/// the document is the same whatever the order of arrival; a fact already present makes the event a no-op. The image
/// state machine's verdict (<see cref="ImageProcessingCompleted"/>) decides the status once one has arrived: each carries
/// its run, kept in the bits of <see cref="ProductImageDocument.Version"/> above the facts, and only a later run replaces
/// it, since an image may be processed again. Without a verdict (events from before the state machine) a failure is final.
/// </summary>
public static class ProductImageProjection
{
    /// <summary>Where the verdict's run starts in <see cref="ProductImageDocument.Version"/>; the facts take the bits below.</summary>
    const int RunShift = 8;

    public static bool Apply(ProductImageDocument image, ProjectedEvent evt, DateTime now)
    {
        var at = OrderSummaryProjection.Utc(evt.SentAt);
        if (evt.Message is ImageProcessingCompleted verdict)
            return ApplyVerdict(image, verdict, at, now);

        var fact = evt.Message switch
        {
            ImageUploaded => ProductImageFacts.Uploaded,
            ThumbnailsGenerated => ProductImageFacts.Thumbnails,
            ImageMetadataExtracted => ProductImageFacts.Metadata,
            ImageProcessingFailed => ProductImageFacts.Failed,
            _ => throw new ArgumentException($"{evt.Type} is not an image event.", nameof(evt)),
        };
        var facts = (ProductImageFacts)(image.Version & ((1 << RunShift) - 1));
        if (facts.HasFlag(fact))
            return false;

        switch (evt.Message)
        {
            case ImageUploaded m:
                at = OrderSummaryProjection.Utc(m.UploadedAt);
                image.Sku = m.Sku;
                image.Format = m.Format;
                image.ContentType = m.ContentType;
                image.SizeBytes = m.SizeBytes;
                image.UploadedAt = at;
                break;
            case ThumbnailsGenerated m:
                image.Thumbnails = (m.Thumbnails ?? []).Where(t => t is not null)
                    .Select(t => new ProductImageThumbnail(t.Size, t.Format, t.BlobKey, t.Width, t.Height, t.ContentType))
                    .OrderBy(t => t.Size).ThenBy(t => t.Format, StringComparer.Ordinal).ToList();
                break;
            case ImageMetadataExtracted m:
                // Latitude and longitude are left out on purpose: the read model is public catalog data.
                image.Width = m.Width;
                image.Height = m.Height;
                image.CameraMake = m.CameraMake;
                image.CameraModel = m.CameraModel;
                image.CapturedAt = m.CapturedAt is { } captured ? DateTime.SpecifyKind(captured, DateTimeKind.Unspecified) : null;
                image.ExposureTimeSeconds = m.ExposureTimeSeconds;
                image.FNumber = m.FNumber;
                image.Iso = m.Iso;
                image.FocalLengthMillimetres = m.FocalLengthMillimetres;
                image.Orientation = m.Orientation;
                break;
            case ImageProcessingFailed m:
                image.FailureReason = m.Reason;
                break;
        }

        facts |= fact;
        image.Version = (image.Version & ~((1 << RunShift) - 1)) | (int)facts;
        if (image.Version >> RunShift == 0)
        {
            image.Status = facts.HasFlag(ProductImageFacts.Failed) ? ProductImageStatus.Failed
                : facts.HasFlag(ProductImageFacts.Thumbnails | ProductImageFacts.Metadata) ? ProductImageStatus.Processed
                : ProductImageStatus.Pending;
        }

        Touched(image, at, now);
        return true;
    }

    static bool ApplyVerdict(ProductImageDocument image, ImageProcessingCompleted verdict, DateTime at, DateTime now)
    {
        if (verdict.Run <= image.Version >> RunShift || ProductImageStatus.Parse(verdict.Status ?? "") is not { } status)
            return false;

        image.Version = (verdict.Run << RunShift) | (image.Version & ((1 << RunShift) - 1));
        image.Status = status;
        image.FailureReason = status == ProductImageStatus.Processed ? null : string.Join(" ", new[]
        {
            verdict.ThumbnailsState == "Succeeded" ? null : $"Thumbnails {verdict.ThumbnailsState?.ToLowerInvariant()}: {verdict.ThumbnailsReason}",
            verdict.MetadataState == "Succeeded" ? null : $"Metadata {verdict.MetadataState?.ToLowerInvariant()}: {verdict.MetadataReason}",
        }.OfType<string>());
        Touched(image, at, now);
        return true;
    }

    static void Touched(ProductImageDocument image, DateTime at, DateTime now)
    {
        if (at > image.LastEventAt)
            image.LastEventAt = at;
        image.UpdatedAt = now;
    }
}
