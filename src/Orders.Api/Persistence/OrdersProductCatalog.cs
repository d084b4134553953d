using Microsoft.EntityFrameworkCore;
using Shop.ProductImages.Catalog;

namespace Shop.Orders.Api.Persistence;

/// <summary>Images may only be attached to products this service sells.</summary>
public sealed class OrdersProductCatalog(OrdersDbContext db) : IProductCatalog
{
    public Task<bool> ExistsAsync(string sku, CancellationToken cancellationToken) =>
        db.Products.AnyAsync(p => p.Sku == sku, cancellationToken);
}
