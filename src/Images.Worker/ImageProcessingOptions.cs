namespace Shop.Images.Worker;

/// <summary>The <c>Images</c> configuration section as the worker reads it: how much of an untrusted image it will touch.</summary>
public sealed class ImageProcessingOptions
{
    public const string SectionName = "Images";

    /// <summary>Largest width × height the worker decodes, checked from the header before decoding.</summary>
    public long MaxPixels { get; set; } = 50_000_000;

    /// <summary>Largest original the worker reads from blob storage (the API refuses larger uploads already).</summary>
    public long MaxUploadBytes { get; set; } = 20 * 1024 * 1024;

    /// <summary>Largest single buffer a decoder may allocate; 50 MP of RGBA is 200 MB.</summary>
    public int MaxDecodeMegabytes { get; set; } = 256;

    /// <summary>Frames decoded at most from an animated image.</summary>
    public uint MaxFrames { get; set; } = 100;

    /// <summary>How long decoding (or reading metadata from) one image may take before it counts as hostile.</summary>
    public TimeSpan DecodeTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Images processed at once per consumer endpoint: the work is CPU and memory bound.</summary>
    public int ConcurrentImages { get; set; } = 2;

    public ThumbnailOptions Thumbnails { get; set; } = new();

    public UploadNotificationOptions UploadNotifications { get; set; } = new();
}

/// <summary>
/// <c>Images:UploadNotifications</c>: how the worker hears of images uploaded straight to the S3 bucket (presigned
/// URLs). Used only when <c>BlobStorage:Provider</c> is <c>S3</c>.
/// </summary>
public sealed class UploadNotificationOptions
{
    /// <summary>
    /// The SQS queue the bucket notifies, which is also the name of the worker's receive endpoint for it (plus the
    /// environment prefix of the SQS transport, once it is there).
    /// </summary>
    public string QueueName { get; set; } = "image-upload-notifications";

    /// <summary>
    /// At start, create the queue, give S3 the right to send to it, and add the bucket's <c>ObjectCreated</c>
    /// notification for the upload prefix. Turn off when infrastructure as code owns the bucket configuration.
    /// </summary>
    public bool ConfigureBucket { get; set; } = true;
}

public sealed class ThumbnailOptions
{
    /// <summary>Bounding boxes in pixels (configuration replaces the default list rather than adding to it).</summary>
    public int[]? Sizes { get; set; }

    public int JpegQuality { get; set; } = 82;

    public int WebpQuality { get; set; } = 80;

    public IReadOnlyList<int> EffectiveSizes => Sizes is { Length: > 0 } sizes ? sizes.Distinct().Order().ToArray() : DefaultSizes;

    static readonly int[] DefaultSizes = [64, 200, 800];
}
