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

public sealed record ImageSearchResults(IReadOnlyList<ImageSearchItem> Items, Freshness Freshness);

/// <summary>An image as the search shows it: thumbnails by the API's URL (storage keys stay inside), camera metadata, no location.</summary>
public sealed record ImageSearchItem(
    Guid ImageId,
    string? Sku,
    string Status,
    string? FailureReason,
    string? Format,
    long? SizeBytes,
    int? Width,
    int? Height,
    IReadOnlyList<ImageSearchThumbnail> Thumbnails,
    ImageSearchCamera Camera,
    DateTime? UploadedAt,
    int Version,
    DateTime LastEventAt)
{
    public static ImageSearchItem Of(ProductImageDocument image) => new(image.ImageId, image.Sku, image.Status, image.FailureReason, image.Format,
        image.SizeBytes, image.Width, image.Height,
        image.Thumbnails.Select(t => new ImageSearchThumbnail(t.Size, t.Format, t.Width, t.Height, t.ContentType,
            $"/images/{image.ImageId}/thumbnails/{t.Size}")).ToList(),
        new ImageSearchCamera(image.CameraMake, image.CameraModel, image.CapturedAt, image.ExposureTimeSeconds, image.FNumber, image.Iso,
            image.FocalLengthMillimetres, image.Orientation),
        image.UploadedAt, image.Version, image.LastEventAt);
}

public sealed record ImageSearchThumbnail(int Size, string Format, int Width, int Height, string ContentType, string Url);

public sealed record ImageSearchCamera(string? Make, string? Model, DateTime? CapturedAt, double? ExposureTimeSeconds, double? FNumber, int? Iso,
    double? FocalLengthMillimetres, int? Orientation);
