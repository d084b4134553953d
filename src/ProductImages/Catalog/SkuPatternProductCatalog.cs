namespace Shop.ProductImages.Catalog;

/// <summary>The default until the host plugs in its catalog: every well-formed SKU exists.</summary>
public sealed class SkuPatternProductCatalog : IProductCatalog
{
    public Task<bool> ExistsAsync(string sku, CancellationToken cancellationToken) => Task.FromResult(Sku.IsValid(sku));
}
