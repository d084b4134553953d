namespace Shop.Search.Tests.EndToEnd;

public sealed record FreshnessView(DateTime? LastEventAt, DateTime? LastAppliedAt);

public sealed record OrderSearchView(List<OrderItemView> Items, string? Next, FreshnessView Freshness);

public sealed record OrderItemView(Guid OrderId, Guid? CustomerId, string? Email, string Status, List<LineView> Lines, decimal? Total,
    PaymentView? Payment, string? CancellationReason, int Version);

public sealed record LineView(string Sku, string? ProductName, int Quantity, decimal UnitPrice);

public sealed record PaymentView(string? PaymentId, decimal? AmountPaid, decimal? AmountRefunded, string? Failure);

public sealed record HistoryView(Guid OrderId, string Status, int Version, List<EventView> Events, FreshnessView Freshness);

public sealed record EventView(string Event, DateTime At, string? Detail);

public sealed record ImageSearchView(List<ImageView> Items, FreshnessView Freshness);

public sealed record ImageView(Guid ImageId, string? Sku, string Status, List<ThumbnailView> Thumbnails, int? Width, int? Height);

public sealed record ThumbnailView(int Size, string Format, int Width, int Height, string Url);

public sealed record ProblemView(string? Title, int Status, Dictionary<string, string[]>? Errors);
