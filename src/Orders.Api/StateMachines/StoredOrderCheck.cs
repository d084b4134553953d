using Microsoft.EntityFrameworkCore;
using Shop.Contracts.Orders;
using Shop.Orders.Api.Domain;
using Shop.Orders.Api.Persistence;

namespace Shop.Orders.Api.StateMachines;

/// <summary>
/// Reads through the consume scope's <see cref="OrdersDbContext"/>: the row the API wrote in the same transaction as
/// the event, else the products the event names.
/// </summary>
sealed class StoredOrderCheck(OrdersDbContext db) : IOrderCheck
{
    // Compiled once: a LINQ query pays for parameter extraction and a cache lookup of its expression on every call.
    static readonly Func<OrdersDbContext, Guid, CancellationToken, Task<Order?>> StoredOrder = EF.CompileAsyncQuery(
        (OrdersDbContext db, Guid orderId, CancellationToken _) => db.Orders.AsNoTracking().Include(o => o.Items).SingleOrDefault(o => o.Id == orderId));

    public async Task<string?> RefusalOf(OrderSubmitted order, CancellationToken cancellationToken)
    {
        var stored = await StoredOrder(db, order.OrderId, cancellationToken);
        if (stored is not null)
            return OrderCheckRules.AgainstStored(order, stored);

        var skus = order.Items.Select(line => line.Sku).Distinct().ToList();
        var products = await db.Products.AsNoTracking().Where(p => skus.Contains(p.Sku)).ToDictionaryAsync(p => p.Sku, cancellationToken);
        return OrderCheckRules.AgainstCatalog(order, products);
    }
}
