namespace Shop.ProductImages.Domain;

/// <summary>
/// A product image and how far its processing got. The image processing state machine records each branch's result
/// (thumbnails, metadata) as it arrives and then its verdict; a failed or partly processed image may be processed again.
/// </summary>
public sealed class ProductImage
{
    public const int MaxFailureReasonLength = 1000;

    public Guid Id { get; private set; }
    public string Sku { get; private set; } = "";
    public ProductImageStatus Status { get; private set; }
    public string? FailureReason { get; private set; }
    public string Format { get; private set; } = "";
    public string ContentType { get; private set; } = "";
    public long SizeBytes { get; private set; }
    public int? Width { get; private set; }
    public int? Height { get; private set; }
    public string OriginalBlobKey { get; private set; } = "";

    /// <summary>JSON array of the stored thumbnails (<see cref="Shop.Contracts.Images.GeneratedThumbnail"/>).</summary>
    public string? Thumbnails { get; private set; }

    /// <summary>JSON of the extracted metadata (<see cref="Shop.Contracts.Images.ImageMetadataExtracted"/>).</summary>
    public string? Metadata { get; private set; }

    public bool ThumbnailsDone { get; private set; }
    public bool MetadataDone { get; private set; }
    public DateTimeOffset CreatedAt { get; private set; }
    public DateTimeOffset UpdatedAt { get; private set; }

    /// <summary>Optimistic concurrency: the direct-upload consumer and the state machine may touch the row at the same moment.</summary>
    public int Version { get; private set; }

    ProductImage() { }

    public static ProductImage Uploaded(Guid id, string sku, string format, string contentType, long sizeBytes, string originalBlobKey,
        DateTimeOffset now) => new()
    {
        Id = id,
        Sku = sku,
        Status = ProductImageStatus.Pending,
        Format = format,
        ContentType = contentType,
        SizeBytes = sizeBytes,
        OriginalBlobKey = originalBlobKey,
        CreatedAt = now,
        UpdatedAt = now,
    };

    /// <summary>
    /// An image whose bytes the client will upload straight to storage under <paramref name="uploadBlobKey"/>, declared
    /// as <paramref name="declaredContentType"/> (or any image type when null); its format and size are unknown until
    /// <see cref="UploadReceived"/>.
    /// </summary>
    public static ProductImage AwaitingUpload(Guid id, string sku, string uploadBlobKey, string? declaredContentType, DateTimeOffset now) => new()
    {
        Id = id,
        Sku = sku,
        Status = ProductImageStatus.AwaitingUpload,
        ContentType = declaredContentType ?? "",
        OriginalBlobKey = uploadBlobKey,
        CreatedAt = now,
        UpdatedAt = now,
    };

    /// <summary>
    /// The direct upload arrived, passed the checks an API upload passes and was copied to
    /// <paramref name="originalBlobKey"/>: from here on it is processed like an API upload. False (and no change) when
    /// the image was no longer waiting, e.g. for a second notification of the same upload.
    /// </summary>
    public bool UploadReceived(string format, string contentType, long sizeBytes, string originalBlobKey, DateTimeOffset now)
    {
        if (Status != ProductImageStatus.AwaitingUpload)
            return false;

        Status = ProductImageStatus.Pending;
        Format = format;
        ContentType = contentType;
        SizeBytes = sizeBytes;
        OriginalBlobKey = originalBlobKey;
        Changed(now);
        return true;
    }

    /// <summary>The upload never arrived: the image ends as <see cref="ProductImageStatus.Expired"/>. False (no change) when it did arrive.</summary>
    public bool UploadExpired(DateTimeOffset now)
    {
        if (Status != ProductImageStatus.AwaitingUpload)
            return false;

        Status = ProductImageStatus.Expired;
        FailureReason = "the upload did not arrive before its upload URL expired";
        Changed(now);
        return true;
    }

    public void ThumbnailsStored(string thumbnailsJson, DateTimeOffset now)
    {
        Thumbnails = thumbnailsJson;
        ThumbnailsDone = true;
        Changed(now);
    }

    /// <param name="width">0 (unknown) when the header names no usable size: the pixels could not be read.</param>
    public void MetadataExtracted(string metadataJson, int width, int height, DateTimeOffset now)
    {
        Metadata = metadataJson;
        Width = width > 0 ? width : null;
        Height = height > 0 ? height : null;
        MetadataDone = true;
        Changed(now);
    }

    public void ProcessingFailed(string reason, DateTimeOffset now)
    {
        if (Status == ProductImageStatus.Failed)
            return;

        Status = ProductImageStatus.Failed;
        FailureReason = reason.Length > MaxFailureReasonLength ? reason[..MaxFailureReasonLength] : reason;
        Changed(now);
    }

    /// <summary>
    /// The state machine's verdict (<see cref="ProductImageStatus.Processed"/>, <see cref="ProductImageStatus.PartiallyProcessed"/>,
    /// <see cref="ProductImageStatus.Failed"/>), or <see cref="ProductImageStatus.Pending"/> again when it is processed anew;
    /// the results already recorded stay until new ones replace them.
    /// </summary>
    public void ProcessingSettled(ProductImageStatus status, string? reason, DateTimeOffset now)
    {
        Status = status;
        FailureReason = reason is { Length: > MaxFailureReasonLength } ? reason[..MaxFailureReasonLength] : reason;
        Changed(now);
    }

    void Changed(DateTimeOffset now)
    {
        UpdatedAt = now;
        Version++;
    }
}
