using Shop.Contracts.Images;
using Shop.Contracts.Orders;
using Shop.Contracts.Payments;
using Shop.Contracts.Stock;

namespace Shop.Cli.Messages;

public enum MessageKind
{
    /// <summary>Published to every subscriber (an exchange on RabbitMQ, a topic on SNS).</summary>
    Event,

    /// <summary>Sent to one endpoint's queue.</summary>
    Command,
}

/// <param name="Producer">The service that produces it in the shop.</param>
/// <param name="Endpoint">For a command, the queue it is sent to by default (the saga's configured address).</param>
/// <param name="Internal">
/// Part of a service's own conversation (the saga's commands and the replies to them): an outside producer that
/// publishes one fakes a step of that conversation.
/// </param>
public sealed record MessageDescriptor(Type Type, MessageKind Kind, string Producer, string? Endpoint, bool Internal)
{
    public string Name => Type.Name;
    public string FullName => Type.FullName!;
}

/// <summary>
/// Every message of <c>src/Contracts</c>, with what the code alone cannot say: event or command, who produces it and
/// where a command goes. A test keeps it complete: a contract type missing here fails it.
/// </summary>
public static class MessageCatalog
{
    public static IReadOnlyList<MessageDescriptor> All { get; } =
    [
        Event<OrderSubmitted>("Orders.Api"),
        Event<OrderConfirmed>("Orders.Api (saga)"),
        Event<OrderCancelled>("Orders.Api (saga)"),
        Command<ReserveStock>("Orders.Api (saga)", "reserve-stock"),
        Command<ReleaseStock>("Orders.Api (saga)", "release-stock"),
        Event<StockReserved>("Orders.Api", isInternal: true),
        Event<StockUnavailable>("Orders.Api", isInternal: true),
        Event<StockReleased>("Orders.Api", isInternal: true),
        Command<ProcessPayment>("Orders.Api (saga)", "process-payment"),
        Command<RefundPayment>("Orders.Api (saga)", "refund-payment"),
        Event<PaymentCompleted>("Payments.Worker", isInternal: true),
        Event<PaymentFailed>("Payments.Worker", isInternal: true),
        Event<PaymentRefunded>("Payments.Worker", isInternal: true),
        Event<ImageUploaded>("Orders.Api (images)"),
        Event<DirectUploadStored>("Images.Worker (S3 notifications)"),
        Command<GenerateThumbnails>("Orders.Api (image saga)", "generate-thumbnails"),
        Command<ExtractImageMetadata>("Orders.Api (image saga)", "extract-image-metadata"),
        Event<ThumbnailsGenerated>("Images.Worker", isInternal: true),
        Event<ImageMetadataExtracted>("Images.Worker", isInternal: true),
        Event<ReprocessImage>("Orders.Api (POST /images/{id}/reprocess)"),
        Event<ImageProcessingCompleted>("Orders.Api (image saga)", isInternal: true),
    ];

    /// <summary>
    /// By its name (<c>ProcessPayment</c>), full name (<c>Shop.Contracts.Payments.ProcessPayment</c>) or message URN
    /// (<c>urn:message:Shop.Contracts.Payments:ProcessPayment</c>), ignoring case.
    /// </summary>
    public static MessageDescriptor? Find(string name)
    {
        var normalized = name.StartsWith("urn:message:", StringComparison.OrdinalIgnoreCase)
            ? name["urn:message:".Length..].Replace(':', '.')
            : name;
        return All.FirstOrDefault(m => m.FullName.Equals(normalized, StringComparison.OrdinalIgnoreCase))
            ?? All.FirstOrDefault(m => m.Name.Equals(normalized, StringComparison.OrdinalIgnoreCase));
    }

    static MessageDescriptor Event<T>(string producer, bool isInternal = false) =>
        new(typeof(T), MessageKind.Event, producer, null, isInternal);

    static MessageDescriptor Command<T>(string producer, string endpoint) =>
        new(typeof(T), MessageKind.Command, producer, endpoint, Internal: true);
}
