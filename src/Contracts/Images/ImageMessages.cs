namespace Shop.Contracts.Images;

/// <summary>
/// A product image was stored and recorded as <c>Pending</c>; the thumbnail and metadata consumers start here.
/// <paramref name="BlobKey"/> names the untouched original, <paramref name="Format"/> the format sniffed from its
/// bytes (<c>jpeg</c>, <c>png</c>, <c>webp</c>, <c>gif</c>, <c>tiff</c>, <c>bmp</c>), never the client's claim.
/// </summary>
public sealed record ImageUploaded(
    Guid ImageId,
    string Sku,
    string BlobKey,
    string ContentType,
    string Format,
    long SizeBytes,
    DateTime UploadedAt);

/// <summary>
/// The bytes of an image the client uploaded straight to blob storage (presigned URL) have arrived under
/// <paramref name="BlobKey"/>, as the storage itself reported it. Not yet checked: the API sniffs and sizes them
/// before it publishes <see cref="ImageUploaded"/>.
/// </summary>
public sealed record DirectUploadStored(Guid ImageId, string BlobKey, long SizeBytes, string? ETag, DateTime StoredAt);

/// <summary>One stored thumbnail: <paramref name="Size"/> is the bounding box, Width/Height what it really is.</summary>
public sealed record GeneratedThumbnail(int Size, string Format, string BlobKey, int Width, int Height, string ContentType);

/// <summary>
/// Every configured thumbnail of the image is stored (orientation applied, metadata stripped). <paramref name="Partial"/>
/// says why they show only part of the picture (a truncated JPEG: what is there, the rest grey, as a browser shows it);
/// null when the picture was whole. <paramref name="Attempt"/> is that of the <see cref="GenerateThumbnails"/> answered
/// (0 from a worker that predates it).
/// </summary>
public sealed record ThumbnailsGenerated(Guid ImageId, IReadOnlyList<GeneratedThumbnail> Thumbnails, string? Partial = null, int Attempt = 0);

/// <summary>
/// What the image says about itself. Width and Height are the stored pixel dimensions (before EXIF orientation);
/// everything else is null when the image does not carry it. <paramref name="CapturedAt"/> is camera-local time
/// (EXIF has no time zone). <paramref name="Latitude"/> and <paramref name="Longitude"/> are always null as
/// Images.Worker publishes it: where a photo was taken is personal data and stays in the worker's own table.
/// <paramref name="PixelsUnreadable"/> says why the pixels cannot be decoded when the metadata still could be read
/// (Width and Height are then what the header says, 0 where it says nothing); <paramref name="Attempt"/> is that of the
/// <see cref="ExtractImageMetadata"/> answered.
/// </summary>
public sealed record ImageMetadataExtracted(
    Guid ImageId,
    int Width,
    int Height,
    string? CameraMake,
    string? CameraModel,
    DateTime? CapturedAt,
    double? ExposureTimeSeconds,
    double? FNumber,
    int? Iso,
    double? FocalLengthMillimetres,
    int? Orientation,
    double? Latitude,
    double? Longitude,
    int TagCount,
    int Attempt = 0,
    string? PixelsUnreadable = null);

/// <summary>
/// Command of the image processing state machine to Images.Worker's <c>generate-thumbnails</c> endpoint: render and
/// store the thumbnails of the original under <paramref name="BlobKey"/> (and its public copy without metadata).
/// <paramref name="Attempt"/> counts the runs of this branch for the image, so an answer to an earlier run is told apart.
/// </summary>
public sealed record GenerateThumbnails(Guid ImageId, string BlobKey, string ContentType, string Format, long SizeBytes, int Attempt);

/// <summary>Command of the image processing state machine to Images.Worker's <c>extract-image-metadata</c> endpoint.</summary>
public sealed record ExtractImageMetadata(Guid ImageId, string BlobKey, string ContentType, string Format, long SizeBytes, int Attempt);

/// <summary>
/// Re-run the processing of an image (<c>POST /images/{id}/reprocess</c>): <paramref name="Scope"/> is
/// <see cref="Failed"/> (the branches that did not simply succeed: failed, timed out or partial; nothing when all
/// succeeded), <see cref="All"/>, <c>thumbnails</c> or <c>metadata</c>. An image still being processed ignores it, so
/// repeating the request is harmless.
/// </summary>
public sealed record ReprocessImage(Guid ImageId, string Scope, DateTime RequestedAt)
{
    public const string Failed = "failed";
    public const string All = "all";
}

/// <summary>
/// The image processing state machine's verdict once both branches have answered (or timed out):
/// <paramref name="Status"/> is <c>Processed</c>, <c>PartiallyProcessed</c> or <c>Failed</c>; each branch's state is
/// <c>Succeeded</c>, <c>Partial</c>, <c>Failed</c> or <c>TimedOut</c>, with its reason where it did not simply succeed.
/// Published again after every re-processing; <paramref name="Run"/> grows with each, so the latest verdict wins.
/// </summary>
public sealed record ImageProcessingCompleted(
    Guid ImageId,
    string Sku,
    string Status,
    string ThumbnailsState,
    string? ThumbnailsReason,
    string MetadataState,
    string? MetadataReason,
    int Run,
    DateTime CompletedAt);
