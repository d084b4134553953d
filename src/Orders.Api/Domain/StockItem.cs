namespace Shop.Orders.Api.Domain;

/// <summary>Units of a SKU on hand and not reserved by any order.</summary>
public sealed class StockItem
{
    public string Sku { get; set; } = "";
    public int OnHand { get; set; }
}

/// <summary>What one order took of one SKU; <see cref="ReleasedAt"/> set once it was given back.</summary>
public sealed class StockReservation
{
    public long Id { get; set; }
    public Guid OrderId { get; set; }
    public string Sku { get; set; } = "";
    public int Quantity { get; set; }
    public DateTime ReservedAt { get; set; }
    public DateTime? ReleasedAt { get; set; }
}
