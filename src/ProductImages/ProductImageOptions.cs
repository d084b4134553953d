namespace Shop.ProductImages;

/// <summary>The <c>Images</c> configuration section as the API side reads it.</summary>
public sealed class ProductImageOptions
{
    public const string SectionName = "Images";

    /// <summary>Largest upload accepted; larger ones are answered 413.</summary>
    public long MaxUploadBytes { get; set; } = 20 * 1024 * 1024;

    /// <summary>How long a presigned upload URL (<c>POST /products/{sku}/images/upload-url</c>) accepts the upload.</summary>
    public TimeSpan DirectUploadUrlLifetime { get; set; } = TimeSpan.FromMinutes(15);
}
