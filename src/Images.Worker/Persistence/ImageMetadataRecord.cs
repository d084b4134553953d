namespace Shop.Images.Worker.Persistence;

/// <summary>A row of <c>image_metadata</c>: the typed fields for queries, every tag as a jsonb document.</summary>
public sealed class ImageMetadataRecord
{
    public Guid ImageId { get; set; }
    public string Format { get; set; } = "";
    public int Width { get; set; }
    public int Height { get; set; }
    public string? CameraMake { get; set; }
    public string? CameraModel { get; set; }

    /// <summary>Camera-local time, as EXIF stores it (no time zone).</summary>
    public DateTime? CapturedAt { get; set; }

    public double? ExposureTimeSeconds { get; set; }
    public double? FNumber { get; set; }
    public int? Iso { get; set; }
    public double? FocalLengthMillimetres { get; set; }
    public int? Orientation { get; set; }
    public double? Latitude { get; set; }
    public double? Longitude { get; set; }

    /// <summary>JSON: directory name → tag name → description.</summary>
    public string Tags { get; set; } = "{}";

    public DateTimeOffset ExtractedAt { get; set; }
}
