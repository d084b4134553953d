using Shop.ReadModel.Documents;

namespace Shop.ReadModel.Storage;

/// <summary>The queries the read model answers.</summary>
public interface IReadModelReader
{
    /// <summary>Orders newest first, filtered; a page ends where <see cref="OrderSummaryPage.NextAfter"/> says the next begins.</summary>
    Task<OrderSummaryPage> QueryOrdersAsync(OrderSummaryQuery query, CancellationToken cancellationToken);

    Task<OrderSummary?> FindOrderAsync(Guid orderId, CancellationToken cancellationToken);

    /// <summary>Images newest first, at most <see cref="ProductImageQuery.Limit"/>.</summary>
    Task<IReadOnlyList<ProductImageDocument>> QueryImagesAsync(ProductImageQuery query, CancellationToken cancellationToken);

    /// <summary>How far the read model has got: the newest event applied to any order (or image) and when.</summary>
    Task<ReadModelFreshness> OrdersFreshnessAsync(CancellationToken cancellationToken);

    Task<ReadModelFreshness> ImagesFreshnessAsync(CancellationToken cancellationToken);
}

/// <param name="Text">Words that must all occur in the email, a SKU or a product name.</param>
/// <param name="From">Orders placed at or after.</param>
/// <param name="To">Orders placed before.</param>
/// <param name="After">The <see cref="OrderSummary.SortKey"/> of the previous page's last order.</param>
public sealed record OrderSummaryQuery(
    Guid? CustomerId = null,
    string? Status = null,
    string? Text = null,
    DateTime? From = null,
    DateTime? To = null,
    string? After = null,
    int Limit = 20);

public sealed record OrderSummaryPage(IReadOnlyList<OrderSummary> Items, string? NextAfter);

public sealed record ProductImageQuery(string? Sku = null, string? Status = null, int Limit = 50);

/// <param name="LastEventAt">The time of the newest event applied; null while nothing has been.</param>
/// <param name="LastAppliedAt">When the read model last changed.</param>
public sealed record ReadModelFreshness(DateTime? LastEventAt, DateTime? LastAppliedAt);
