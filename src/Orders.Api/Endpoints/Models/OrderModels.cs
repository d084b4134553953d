namespace Shop.Orders.Api.Endpoints.Models;

/// <summary>
/// The body of <c>POST /orders</c>. The customer and the email come from the access token; <paramref name="CustomerId"/>
/// and <paramref name="Email"/> are read only to refuse a body that names them, so a client cannot order as someone else.
/// </summary>
public sealed record CreateOrderRequest(Guid? CustomerId, string? Email, IReadOnlyList<CreateOrderItem>? Items, PaymentDetails? Payment);

/// <summary>Who places the order, from the validated token.</summary>
public sealed record OrderCustomer(Guid Id, string Email);

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
