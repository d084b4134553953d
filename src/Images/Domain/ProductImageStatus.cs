namespace Shop.Images.Domain;

public enum ProductImageStatus
{
    /// <summary>
    /// Recorded when a presigned upload URL was handed out; the client has not uploaded yet (or storage has not
    /// told us). Becomes <see cref="Pending"/> when the object arrives and passes the checks.
    /// </summary>
    AwaitingUpload,

    /// <summary>Stored; thumbnails and metadata are on their way.</summary>
    Pending,

    /// <summary>Thumbnails and metadata have both arrived.</summary>
    Processed,

    /// <summary>A worker gave up on the image; <see cref="ProductImage.FailureReason"/> says why.</summary>
    Failed,

    /// <summary>Was <see cref="AwaitingUpload"/> past its upload URL's lifetime and grace; nothing arrived (in time).</summary>
    Expired,
}
