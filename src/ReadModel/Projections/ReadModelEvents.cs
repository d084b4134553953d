using System.Collections.Frozen;
using Shop.Contracts.Images;
using Shop.Contracts.Orders;
using Shop.Contracts.Payments;
using Shop.Contracts.Stock;

namespace Shop.ReadModel.Projections;

/// <summary>
/// The events the read model is built from, by the name the archive stores them under, and which document each
/// belongs to.
/// </summary>
public static class ReadModelEvents
{
    public static readonly IReadOnlyList<Type> OrderEvents =
    [
        typeof(OrderSubmitted), typeof(StockReserved), typeof(StockUnavailable), typeof(StockReleased), typeof(PaymentCompleted),
        typeof(PaymentFailed), typeof(PaymentRefunded), typeof(OrderConfirmed), typeof(OrderCancelled),
    ];

    public static readonly IReadOnlyList<Type> ImageEvents =
        [typeof(ImageUploaded), typeof(ThumbnailsGenerated), typeof(ImageMetadataExtracted), typeof(ImageProcessingFailed),
         typeof(ImageProcessingCompleted)];

    static readonly FrozenDictionary<string, Type> ByName = OrderEvents.Concat(ImageEvents).ToFrozenDictionary(t => t.Name);

    public static string NameOf(Type type) =>
        ByName.TryGetValue(type.Name, out var known) && known == type
            ? type.Name
            : throw new ArgumentException($"{type.FullName} is not an event of the read model.", nameof(type));

    public static bool TryGetType(string name, out Type type) => ByName.TryGetValue(name, out type!);

    /// <summary>The order an event is about, or null for an event that is not an order's.</summary>
    public static Guid? OrderIdOf(object message) => message switch
    {
        OrderSubmitted m => m.OrderId,
        StockReserved m => m.OrderId,
        StockUnavailable m => m.OrderId,
        StockReleased m => m.OrderId,
        PaymentCompleted m => m.OrderId,
        PaymentFailed m => m.OrderId,
        PaymentRefunded m => m.OrderId,
        OrderConfirmed m => m.OrderId,
        OrderCancelled m => m.OrderId,
        _ => null,
    };

    public static Guid? ImageIdOf(object message) => message switch
    {
        ImageUploaded m => m.ImageId,
        ThumbnailsGenerated m => m.ImageId,
        ImageMetadataExtracted m => m.ImageId,
        ImageProcessingFailed m => m.ImageId,
        ImageProcessingCompleted m => m.ImageId,
        _ => null,
    };
}
