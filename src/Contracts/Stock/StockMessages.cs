namespace Shop.Contracts.Stock;

public sealed record StockLine(string Sku, int Quantity);

/// <summary>Reserve every line of an order, all or nothing.</summary>
public sealed record ReserveStock(Guid OrderId, IReadOnlyList<StockLine> Items);

public sealed record StockReserved(Guid OrderId);

/// <summary>Nothing was reserved: at least one line could not be covered.</summary>
public sealed record StockUnavailable(Guid OrderId, string Reason);

/// <summary>Give back what <see cref="ReserveStock"/> took for an order; releasing twice gives back once.</summary>
public sealed record ReleaseStock(Guid OrderId);

public sealed record StockReleased(Guid OrderId);
