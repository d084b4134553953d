namespace Shop.Images.Domain;

public enum ProductImageStatus
{
    /// <summary>Stored; thumbnails and metadata are on their way.</summary>
    Pending,

    /// <summary>Thumbnails and metadata have both arrived.</summary>
    Processed,

    /// <summary>A worker gave up on the image; <see cref="ProductImage.FailureReason"/> says why.</summary>
    Failed,
}
