namespace Shop.ProductImages.Catalog;

/// <summary>The host's answer to "is there a product with this SKU?", asked before an image is accepted.</summary>
public interface IProductCatalog
{
    /// <summary>Only called with SKUs that already match <see cref="Sku.Pattern"/>.</summary>
    Task<bool> ExistsAsync(string sku, CancellationToken cancellationToken);
}
