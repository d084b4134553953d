namespace Shop.Contracts.Orders;

/// <summary>
/// One line of an order, priced when the order was accepted. <paramref name="ProductName"/> is the catalog's name at
/// that moment, for readers such as the search read model; null from publishers that predate it.
/// </summary>
public sealed record OrderLine(string Sku, int Quantity, decimal UnitPrice, string? ProductName = null);

/// <summary>
/// An order was accepted by the API and stored; the order saga starts here. It carries no card token: every subscriber
/// receives it, and the token goes only to the payments endpoint (in <c>ProcessPayment</c>).
/// </summary>
public sealed record OrderSubmitted(
    Guid OrderId,
    Guid CustomerId,
    string Email,
    IReadOnlyList<OrderLine> Items,
    decimal Total,
    string Currency,
    DateTime SubmittedAt);

/// <summary>Stock is reserved and the payment taken: the order will ship.</summary>
public sealed record OrderConfirmed(Guid OrderId, Guid CustomerId, string Email, decimal Total, string Currency, DateTime ConfirmedAt);

/// <summary>The order will not ship; whatever was reserved or charged has been (or is being) given back.</summary>
public sealed record OrderCancelled(Guid OrderId, Guid CustomerId, string Email, string Reason, DateTime CancelledAt);
