using Shop.Orders.Api.Commands;
using Shop.Orders.Api.Persistence;

namespace Shop.Orders.Api.Endpoints;

/// <summary>What the order endpoints need, bound as one <c>[AsParameters]</c> argument.</summary>
public sealed class OrderServices(PlaceOrderHandler placeOrder, OrdersDbContext db)
{
    public PlaceOrderHandler PlaceOrder { get; } = placeOrder;

    public OrdersDbContext Db { get; } = db;
}
