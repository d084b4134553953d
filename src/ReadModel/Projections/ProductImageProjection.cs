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
/// The verdict travels on its own queue and may overtake the results it judges: until the facts of each branch it says
/// produced a result have arrived too, the image stays <see cref="ProductImageStatus.Pending"/>, so an image found as
/// processed always has its thumbnails and metadata.
/// </summary>
public static class ProductImageProjection
{
    // Version's layout, low to high: the facts (4 bits), the facts the verdict waits for (the same flags, 4 bits up),
    // the verdict's status (2 bits) and its run. Within a run the facts only grow and the verdict is written once.
    const int FactBits = 0b1111;
    const int AwaitedShift = 3;
    const int AwaitedBits = (int)(ProductImageFacts.Thumbnails | ProductImageFacts.Metadata) << AwaitedShift;
    const int VerdictShift = 6;
    const int VerdictBits = 0b11 << VerdictShift;

    /// <summary>Where the verdict's run starts in <see cref="ProductImageDocument.Version"/>.</summary>
    const int RunShift = 8;

    /// <summary>The verdict's status as stored in two bits; 0 is "no verdict".</summary>
    static readonly string[] Verdicts = ["", ProductImageStatus.Processed, ProductImageStatus.PartiallyProcessed, ProductImageStatus.Failed];

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
        var facts = (ProductImageFacts)(image.Version & FactBits);
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
        image.Version = (image.Version & ~FactBits) | (int)facts;
        image.Status = StatusOf(image.Version, image.Status);
        Touched(image, at, now);
        return true;
    }

    static string StatusOf(int version, string current)
    {
        var facts = (ProductImageFacts)(version & FactBits);
        if (version >> RunShift == 0)
        {
            return facts.HasFlag(ProductImageFacts.Failed) ? ProductImageStatus.Failed
                : facts.HasFlag(ProductImageFacts.Thumbnails | ProductImageFacts.Metadata) ? ProductImageStatus.Processed
                : ProductImageStatus.Pending;
        }

        // A document written before the verdict's status was kept in the version has its verdict in the status alone.
        var verdict = (version & VerdictBits) >> VerdictShift;
        if (verdict == 0)
            return current;
        var awaited = (ProductImageFacts)((version & AwaitedBits) >> AwaitedShift);
        return facts.HasFlag(awaited) ? Verdicts[verdict] : ProductImageStatus.Pending;
    }

    static bool ApplyVerdict(ProductImageDocument image, ImageProcessingCompleted verdict, DateTime at, DateTime now)
    {
        var code = Array.FindIndex(Verdicts, v => v.Length > 0 && string.Equals(v, verdict.Status, StringComparison.OrdinalIgnoreCase));
        if (verdict.Run <= image.Version >> RunShift || code < 1)
            return false;

        var status = Verdicts[code];
        var awaited = (HasResult(verdict.ThumbnailsState) ? ProductImageFacts.Thumbnails : 0)
            | (HasResult(verdict.MetadataState) ? ProductImageFacts.Metadata : 0);
        image.Version = (verdict.Run << RunShift) | (code << VerdictShift)
            | ((int)awaited << AwaitedShift) | (image.Version & FactBits);
        image.Status = StatusOf(image.Version, status);
        image.FailureReason = status == ProductImageStatus.Processed ? null : string.Join(" ", new[]
        {
            verdict.ThumbnailsState == "Succeeded" ? null : $"Thumbnails {verdict.ThumbnailsState?.ToLowerInvariant()}: {verdict.ThumbnailsReason}",
            verdict.MetadataState == "Succeeded" ? null : $"Metadata {verdict.MetadataState?.ToLowerInvariant()}: {verdict.MetadataReason}",
        }.OfType<string>());
        Touched(image, at, now);
        return true;
    }

    /// <summary>The branch states whose result the image pipeline published (the state machine's <c>BranchState.HasResult</c>).</summary>
    static bool HasResult(string? state) => state is "Succeeded" or "Partial";

    static void Touched(ProductImageDocument image, DateTime at, DateTime now)
    {
        if (at > image.LastEventAt)
            image.LastEventAt = at;
        image.UpdatedAt = now;
    }
}
