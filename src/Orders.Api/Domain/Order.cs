namespace Shop.Orders.Api.Domain;

/// <summary>
/// An order as the API accepted it; its status follows the saga. Lines are added only through <see cref="AddLine"/>, so
/// the total and the currency always agree with them.
/// </summary>
public sealed class Order
{
    readonly List<OrderItem> _items = [];
    readonly List<OrderTimelineEntry> _timeline = [];

    // For EF Core, which materialises stored orders.
    Order() { }

    public Guid Id { get; private set; }
    public Guid CustomerId { get; private set; }
    public string Email { get; private set; } = "";
    public decimal Total { get; private set; }
    public string Currency { get; private set; } = "";
    public string Status { get; private set; } = OrderStatus.Submitted;
    public string? CancellationReason { get; private set; }
    public DateTime CreatedAt { get; private set; }
    public DateTime UpdatedAt { get; private set; }
    public IReadOnlyCollection<OrderItem> Items => _items;
    public IReadOnlyCollection<OrderTimelineEntry> Timeline => _timeline;

    /// <summary>A new order, submitted at <paramref name="at"/> and still without lines.</summary>
    public static Order Submit(Guid id, Guid customerId, string email, DateTime at)
    {
        var order = new Order { Id = id, CustomerId = customerId, Email = email, CreatedAt = at, UpdatedAt = at };
        order._timeline.Add(new OrderTimelineEntry { Status = OrderStatus.Submitted, At = at });
        return order;
    }

    /// <summary>Adds a line at the product's price; one line per SKU, and every line in the order's one currency.</summary>
    public void AddLine(Product product, int quantity)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(quantity);
        if (_items.Any(i => string.Equals(i.Sku, product.Sku, StringComparison.OrdinalIgnoreCase)))
            throw new InvalidOperationException($"The order already has a line for {product.Sku}.");
        if (_items.Count > 0 && !string.Equals(Currency, product.Currency, StringComparison.Ordinal))
            throw new InvalidOperationException($"{product.Sku} is priced in {product.Currency}, the order in {Currency}.");

        _items.Add(new OrderItem { Sku = product.Sku, Name = product.Name, Quantity = quantity, UnitPrice = product.Price });
        Currency = product.Currency;
        Total += product.Price * quantity;
    }

    /// <summary>
    /// The saga's word on the order: its status now, and an entry in its timeline. A reason, once given, stays (a later
    /// status without one does not erase it).
    /// </summary>
    public void Record(string status, string? reason, DateTime at)
    {
        Status = status;
        CancellationReason = reason ?? CancellationReason;
        UpdatedAt = at;
        _timeline.Add(new OrderTimelineEntry { OrderId = Id, Status = status, Reason = reason, At = at });
    }
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
