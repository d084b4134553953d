namespace Shop.Orders.Api.StateMachines;

/// <summary>Where the saga finds the card token the API kept for an order (never in an event).</summary>
public interface IOrderCardTokens
{
    /// <summary>The order's card token, removed from where it was kept; null when there is none.</summary>
    Task<string?> Take(Guid orderId, CancellationToken cancellationToken);
}
