namespace Shop.ReadModel.Documents;

/// <summary>
/// A product image as the read side shows it. Camera metadata is kept; the position the camera recorded (GPS) is never
/// stored, since the document is served to anyone who may search the catalog.
/// </summary>
public sealed class ProductImageDocument
{
    public Guid ImageId { get; set; }

    /// <summary>Null until the image's <c>ImageUploaded</c> has arrived.</summary>
    public string? Sku { get; set; }

    /// <summary>One of <see cref="ProductImageStatus"/>.</summary>
    public string Status { get; set; } = ProductImageStatus.Pending;

    public string? Format { get; set; }
    public string? ContentType { get; set; }
    public long? SizeBytes { get; set; }
    public int? Width { get; set; }
    public int? Height { get; set; }
    public List<ProductImageThumbnail> Thumbnails { get; set; } = [];
    public string? CameraMake { get; set; }
    public string? CameraModel { get; set; }
    public DateTime? CapturedAt { get; set; }
    public double? ExposureTimeSeconds { get; set; }
    public double? FNumber { get; set; }
    public int? Iso { get; set; }
    public double? FocalLengthMillimetres { get; set; }
    public int? Orientation { get; set; }
    public string? FailureReason { get; set; }

    /// <summary>
    /// Which of the image's facts have been applied (<see cref="ProductImageFacts"/>, the low bits), the latest processing
    /// verdict (its status and the facts it waits for) and, from bit 8, that verdict's run: facts only grow and a later
    /// verdict has a higher run, so the value only grows, and a fact or verdict applied twice changes nothing.
    /// </summary>
    public int Version { get; set; }

    public DateTime? UploadedAt { get; set; }
    public DateTime LastEventAt { get; set; }
    public DateTime UpdatedAt { get; set; }
    public long Revision { get; set; }
}

public static class ProductImageStatus
{
    public const string Pending = "Pending";
    public const string Processed = "Processed";
    public const string PartiallyProcessed = "PartiallyProcessed";
    public const string Failed = "Failed";

    public static readonly IReadOnlyList<string> All = [Pending, Processed, PartiallyProcessed, Failed];

    public static string? Parse(string value) => All.FirstOrDefault(s => string.Equals(s, value, StringComparison.OrdinalIgnoreCase));
}

[Flags]
public enum ProductImageFacts
{
    None = 0,
    Uploaded = 1,
    Thumbnails = 2,
    Metadata = 4,
    Failed = 8,
}

public sealed record ProductImageThumbnail(int Size, string Format, string BlobKey, int Width, int Height, string ContentType);
