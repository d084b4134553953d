using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Shop.Orders.Api.Endpoints.Models;
using Shop.Orders.Api.Persistence;

namespace Shop.Orders.Api.Endpoints;

public static class ProductsEndpoints
{
    public static RouteGroupBuilder MapProductsEndpoints(this RouteGroupBuilder group)
    {
        group.MapGet("/", GetProducts)
            .WithName("GetProducts")
            .WithSummary("The catalog with the stock on hand of each product.");
        return group;
    }

    static async Task<Ok<List<ProductSummary>>> GetProducts(OrdersDbContext db, CancellationToken cancellationToken)
    {
        var products = await (
            from product in db.Products.AsNoTracking()
            join stock in db.Stock.AsNoTracking() on product.Sku equals stock.Sku into stocks
            from stock in stocks.DefaultIfEmpty()
            orderby product.Sku
            select new ProductSummary(product.Sku, product.Name, product.Price, product.Currency, stock == null ? 0 : stock.OnHand))
            .ToListAsync(cancellationToken);
        return TypedResults.Ok(products);
    }
}
