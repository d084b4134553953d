namespace Shop.Images.Worker;

/// <summary>The <c>Images</c> configuration section as the worker reads it: how much of an untrusted image it will touch.</summary>
public sealed class ImageProcessingOptions
{
    public const string SectionName = "Images";

    /// <summary>Largest width × height the worker decodes, checked from the header before decoding.</summary>
    public long MaxPixels { get; set; } = 50_000_000;

    /// <summary>Largest original the worker reads from blob storage (the API refuses larger uploads already).</summary>
    public long MaxUploadBytes { get; set; } = 20 * 1024 * 1024;

    /// <summary>
    /// All ImageSharp memory one image's decoding and rendering may hold at once (every frame, every working buffer),
    /// counted buffer by buffer; 50 MP of RGB is 150 MB.
    /// </summary>
    public int MaxDecodeMegabytes { get; set; } = 256;

    /// <summary>Memory ImageSharp's buffer pool may keep between images (shared by all decodes of the worker).</summary>
    public int MaxPooledMegabytes { get; set; } = 64;

    /// <summary>Images with more frames (GIF, TIFF pages, WebP or APNG frames) are refused before decoding.</summary>
    public uint MaxFrames { get; set; } = 100;

    /// <summary>
    /// Images whose container holds more metadata blocks (PNG text chunks, GIF extensions, TIFF directory entries,
    /// JPEG segments, WebP chunks) are refused before any of it is read.
    /// </summary>
    public int MaxMetadataBlocks { get; set; } = 1000;

    /// <summary>How long decoding (or reading metadata from) one image may take before it counts as hostile.</summary>
    public TimeSpan DecodeTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// After <see cref="DecodeTimeout"/>, how long the consumer waits for the parser to reach its next cancellation
    /// point (an input read or a buffer allocation) before it gives up waiting and abandons the work.
    /// </summary>
    public TimeSpan AbandonAfter { get; set; } = TimeSpan.FromSeconds(5);

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
