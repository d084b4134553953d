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

/// <summary>Every configured thumbnail of the image is stored (orientation applied, metadata stripped).</summary>
public sealed record ThumbnailsGenerated(Guid ImageId, IReadOnlyList<GeneratedThumbnail> Thumbnails);

/// <summary>
/// What the image says about itself. Width and Height are the stored pixel dimensions (before EXIF orientation);
/// everything else is null when the image does not carry it. <paramref name="CapturedAt"/> is camera-local time
/// (EXIF has no time zone). <paramref name="Latitude"/> and <paramref name="Longitude"/> are always null as
/// Images.Worker publishes it: where a photo was taken is personal data and stays in the worker's own table.
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
    int TagCount);
