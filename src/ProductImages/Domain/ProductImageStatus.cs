namespace Shop.ProductImages.Domain;

public enum ProductImageStatus
{
    /// <summary>
    /// Recorded when a presigned upload URL was handed out; the client has not uploaded yet (or storage has not
    /// told us). Becomes <see cref="Pending"/> when the object arrives and passes the checks.
    /// </summary>
    AwaitingUpload,

    /// <summary>Stored (uploaded); thumbnails and metadata are on their way, or on their way again after a reprocess.</summary>
    Pending,

    /// <summary>Thumbnails and metadata have both arrived.</summary>
    Processed,

    /// <summary>
    /// One branch's result is there and shown, the other failed, timed out or is partial (thumbnails of a truncated
    /// JPEG); <see cref="ProductImage.FailureReason"/> says which and why.
    /// </summary>
    PartiallyProcessed,

    /// <summary>Neither branch produced anything (or the upload was refused); <see cref="ProductImage.FailureReason"/> says why.</summary>
    Failed,

    /// <summary>Was <see cref="AwaitingUpload"/> past its upload URL's lifetime and grace; nothing arrived (in time).</summary>
    Expired,
}
