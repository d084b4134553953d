using Shop.ReadModel.Documents;
using Shop.ReadModel.Storage;

namespace Shop.Orders.Api.Endpoints.Models;

/// <summary>How fresh the answer is: the newest event the read model has applied, and when it applied it.</summary>
public sealed record Freshness(DateTime? LastEventAt, DateTime? LastAppliedAt)
{
    public static Freshness Of(ReadModelFreshness freshness) => new(freshness.LastEventAt, freshness.LastAppliedAt);
}

/// <param name="Next">The URL of the next page, or null on the last one.</param>
public sealed record OrderSearchResults(IReadOnlyList<OrderSearchItem> Items, string? Next, Freshness Freshness);

public sealed record OrderSearchItem(
    Guid OrderId,
    Guid? CustomerId,
    string? Email,
    string Status,
    IReadOnlyList<OrderSummaryLine> Lines,
    decimal? Total,
    string? Currency,
    OrderSearchPayment? Payment,
    string? CancellationReason,
    DateTime PlacedAt,
    int Version,
    DateTime LastEventAt)
{
    public static OrderSearchItem Of(OrderSummary order) => new(order.OrderId, order.CustomerId, order.Email, order.Status, order.Lines,
        order.Total, order.Currency,
        order.PaymentId is null && order.PaymentFailure is null
            ? null
            : new OrderSearchPayment(order.PaymentId, order.AmountPaid, order.AmountRefunded, order.PaymentFailure),
        order.CancellationReason, order.PlacedAt, order.Version, order.LastEventAt);
}

public sealed record OrderSearchPayment(string? PaymentId, decimal? AmountPaid, decimal? AmountRefunded, string? Failure);

public sealed record OrderHistory(Guid OrderId, string Status, int Version, IReadOnlyList<OrderTimelineEvent> Events, Freshness Freshness);

public sealed record ImageSearchResults(IReadOnlyList<ProductImageDocument> Items, Freshness Freshness);
