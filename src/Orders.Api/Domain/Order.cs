namespace Shop.Orders.Api.Domain;

/// <summary>An order as the API accepted it; its status follows the saga.</summary>
public sealed class Order
{
    public Guid Id { get; set; }
    public Guid CustomerId { get; set; }
    public string Email { get; set; } = "";
    public decimal Total { get; set; }
    public string Currency { get; set; } = "";
    public string Status { get; set; } = OrderStatus.Submitted;
    public string? CancellationReason { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime UpdatedAt { get; set; }
    public List<OrderItem> Items { get; set; } = [];
    public List<OrderTimelineEntry> Timeline { get; set; } = [];
}

public sealed class OrderItem
{
    public Guid OrderId { get; set; }
    public string Sku { get; set; } = "";
    public string Name { get; set; } = "";
    public int Quantity { get; set; }
    public decimal UnitPrice { get; set; }
}

public sealed class OrderTimelineEntry
{
    public long Id { get; set; }
    public Guid OrderId { get; set; }
    public string Status { get; set; } = "";
    public string? Reason { get; set; }
    public DateTime At { get; set; }
}

public static class OrderStatus
{
    public const string Submitted = nameof(Submitted);
    public const string StockReserved = nameof(StockReserved);
    public const string PaymentPending = nameof(PaymentPending);
    public const string Confirmed = nameof(Confirmed);
    public const string Cancelled = nameof(Cancelled);
}
