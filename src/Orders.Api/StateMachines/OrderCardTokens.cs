using Shop.Orders.Api.Persistence;

namespace Shop.Orders.Api.StateMachines;

/// <summary>
/// Through the consume scope's <see cref="OrdersDbContext"/>, like <see cref="OrderStatusLog"/>: the row goes in the same
/// transaction as the saga state that now holds the token.
/// </summary>
sealed class OrderCardTokens(OrdersDbContext db) : IOrderCardTokens
{
    public async Task<string?> Take(Guid orderId, CancellationToken cancellationToken)
    {
        var kept = await db.OrderCardTokens.FindAsync([orderId], cancellationToken);
        if (kept is null)
            return null;
        db.OrderCardTokens.Remove(kept);
        return kept.CardToken;
    }
}
