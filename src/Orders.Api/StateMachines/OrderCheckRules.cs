using Shop.Contracts.Orders;
using Shop.Orders.Api.Domain;

namespace Shop.Orders.Api.StateMachines;

/// <summary>
/// The comparisons behind <see cref="IOrderCheck"/>: an order Orders.Api stored must be the one published, line for line
/// and to the cent; an order it did not store must be priced from the catalog.
/// </summary>
public static class OrderCheckRules
{
    public static string? AgainstStored(OrderSubmitted order, Order stored)
    {
        if (order.CustomerId != stored.CustomerId || !string.Equals(order.Email, stored.Email, StringComparison.Ordinal))
            return "the customer differs from the order stored";
        if (order.Total != stored.Total || !string.Equals(order.Currency, stored.Currency, StringComparison.Ordinal))
            return $"the total {order.Total} {order.Currency} differs from the stored {stored.Total} {stored.Currency}";

        var published = order.Items.Select(l => (l.Sku, l.Quantity, l.UnitPrice)).Order().ToList();
        var kept = stored.Items.Select(i => (i.Sku, i.Quantity, i.UnitPrice)).Order().ToList();
        return published.SequenceEqual(kept) ? null : "the lines differ from the order stored";
    }

    public static string? AgainstCatalog(OrderSubmitted order, IReadOnlyDictionary<string, Product> catalog)
    {
        if (order.Items.Count == 0)
            return "the order has no lines";

        decimal total = 0;
        foreach (var line in order.Items)
        {
            if (!catalog.TryGetValue(line.Sku, out var product))
                return $"{line.Sku} is not in the catalog";
            if (line.Quantity <= 0)
                return $"{line.Sku}: quantity {line.Quantity}";
            if (line.UnitPrice != product.Price || !string.Equals(order.Currency, product.Currency, StringComparison.Ordinal))
                return $"{line.Sku} is priced {line.UnitPrice} {order.Currency}, the catalog says {product.Price} {product.Currency}";
            total += product.Price * line.Quantity;
        }

        return order.Total == total ? null : $"the total {order.Total} {order.Currency} is not the catalog's {total} {order.Currency}";
    }
}
