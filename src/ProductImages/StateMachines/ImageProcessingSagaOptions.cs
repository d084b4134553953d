namespace Shop.ProductImages.StateMachines;

/// <summary>The <c>Images:Processing</c> settings: how long each branch may take and where its command goes.</summary>
public sealed class ImageProcessingSagaOptions
{
    public const string SectionName = "Images:Processing";

    /// <summary>Counted from the command; covers the worker's retries and redeliveries (minutes, not seconds).</summary>
    public TimeSpan ThumbnailsTimeout { get; set; } = TimeSpan.FromMinutes(15);

    public TimeSpan MetadataTimeout { get; set; } = TimeSpan.FromMinutes(15);

    public Uri GenerateThumbnailsAddress { get; set; } = new("queue:generate-thumbnails");
    public Uri ExtractMetadataAddress { get; set; } = new("queue:extract-image-metadata");
}
