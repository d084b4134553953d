using Shop.Contracts.Orders;

namespace Shop.Orders.Api.StateMachines;

/// <summary>
/// Whether an <see cref="OrderSubmitted"/> may be charged. The bus is a trust boundary: anything that can publish the
/// event could name a total of its choosing, so the saga charges only what Orders.Api stored or the catalog prices.
/// </summary>
public interface IOrderCheck
{
    /// <summary>Null when the order may go ahead; otherwise why it is refused.</summary>
    Task<string?> RefusalOf(OrderSubmitted order, CancellationToken cancellationToken);
}
