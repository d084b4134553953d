using Shop.Orders.Api.Domain;

namespace Shop.Orders.Api.Persistence;

/// <summary>The demo catalog seeded by the initial migration.</summary>
public static class Catalog
{
    public const string Currency = "EUR";

    public static IReadOnlyList<(Product Product, int OnHand)> Products { get; } =
    [
        (new Product { Sku = "MUG-001", Name = "Ceramic mug", Price = 9.90m, Currency = Currency }, 120),
        (new Product { Sku = "TEE-001", Name = "Cotton T-shirt", Price = 19.90m, Currency = Currency }, 80),
        (new Product { Sku = "HOOD-001", Name = "Hoodie", Price = 44.00m, Currency = Currency }, 40),
        (new Product { Sku = "CAP-001", Name = "Baseball cap", Price = 14.50m, Currency = Currency }, 60),
        (new Product { Sku = "BAG-001", Name = "Tote bag", Price = 12.00m, Currency = Currency }, 90),
        (new Product { Sku = "NOTE-001", Name = "Dotted notebook", Price = 7.50m, Currency = Currency }, 150),
        (new Product { Sku = "PEN-001", Name = "Gel pen, pack of 3", Price = 4.20m, Currency = Currency }, 300),
        (new Product { Sku = "STICK-001", Name = "Sticker set", Price = 3.00m, Currency = Currency }, 500),
        (new Product { Sku = "BOTL-001", Name = "Steel water bottle", Price = 24.90m, Currency = Currency }, 50),
        (new Product { Sku = "SOCK-001", Name = "Socks, two pairs", Price = 11.00m, Currency = Currency }, 100),
        (new Product { Sku = "POST-001", Name = "Art poster", Price = 29.00m, Currency = Currency }, 25),
        (new Product { Sku = "LAMP-001", Name = "Desk lamp", Price = 59.00m, Currency = Currency }, 15),
    ];
}
