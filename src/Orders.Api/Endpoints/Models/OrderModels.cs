namespace Shop.Orders.Api.Endpoints.Models;

public sealed record CreateOrderRequest(Guid? CustomerId, string? Email, IReadOnlyList<CreateOrderItem>? Items, PaymentDetails? Payment);

public sealed record CreateOrderItem(string? Sku, int? Quantity);

public sealed record PaymentDetails(string? CardToken);

public sealed record OrderAccepted(Guid Id, string Status);

public sealed record OrderDetails(
    Guid Id,
    Guid CustomerId,
    string Email,
    string Status,
    string? CancellationReason,
    IReadOnlyList<OrderDetailsItem> Items,
    decimal Total,
    string Currency,
    DateTime CreatedAt,
    IReadOnlyList<OrderTimelineItem> Timeline);

public sealed record OrderDetailsItem(string Sku, string Name, int Quantity, decimal UnitPrice, decimal LineTotal);

public sealed record OrderTimelineItem(string Status, string? Reason, DateTime At);

public sealed record ProductSummary(string Sku, string Name, decimal Price, string Currency, int StockOnHand);
