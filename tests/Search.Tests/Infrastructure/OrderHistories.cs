using Shop.Contracts.Images;
using Shop.Contracts.Orders;
using Shop.Contracts.Payments;
using Shop.Contracts.Stock;
using Shop.ReadModel.Projections;

namespace Shop.Search.Tests.Infrastructure;

/// <summary>Event histories as the order flow and the image pipeline publish them, each event with its own message id.</summary>
public static class OrderHistories
{
    public static readonly DateTime Start = new(2026, 11, 1, 8, 0, 0, DateTimeKind.Utc);

    public enum Outcome { Confirmed, PaymentFailed, OutOfStock, PaidAfterCancellation, StillPending }

    public sealed record Product(string Sku, string Name, decimal Price);

    public static readonly Product Mug = new("MUG-001", "Ceramic Mug", 9.90m);
    public static readonly Product Tee = new("TEE-001", "Cotton Tee", 19.90m);
    public static readonly Product Lamp = new("LAMP-001", "Desk Lamp", 39.00m);

    public static List<ProjectedEvent> Order(Guid orderId, Guid customerId, DateTime placedAt, Outcome outcome, string email = "buyer@example.com",
        params Product[] products)
    {
        if (products.Length == 0)
            products = [Mug];
        var lines = products.Select(p => new OrderLine(p.Sku, 1, p.Price, p.Name)).ToList();
        var total = lines.Sum(l => l.UnitPrice * l.Quantity);
        var at = placedAt;
        var events = new List<ProjectedEvent>();
        void Add(object message) => events.Add(new ProjectedEvent(Guid.NewGuid(), at = at.AddMilliseconds(137), message));

        Add(new OrderSubmitted(orderId, customerId, email, lines, total, "EUR", placedAt));
        switch (outcome)
        {
            case Outcome.Confirmed:
                Add(new StockReserved(orderId));
                Add(new PaymentCompleted(orderId, $"pay_{orderId:N}", total, "EUR"));
                Add(new OrderConfirmed(orderId, customerId, email, total, "EUR", at.AddMilliseconds(5)));
                break;
            case Outcome.PaymentFailed:
                Add(new StockReserved(orderId));
                Add(new PaymentFailed(orderId, "card declined"));
                Add(new OrderCancelled(orderId, customerId, email, "payment failed: card declined", at.AddMilliseconds(5)));
                Add(new StockReleased(orderId));
                break;
            case Outcome.OutOfStock:
                Add(new StockUnavailable(orderId, "LAMP-001: 0 left"));
                Add(new OrderCancelled(orderId, customerId, email, "stock unavailable: LAMP-001: 0 left", at.AddMilliseconds(5)));
                break;
            case Outcome.PaidAfterCancellation:
                Add(new StockReserved(orderId));
                Add(new OrderCancelled(orderId, customerId, email, "timed out waiting for the payment", at.AddMilliseconds(5)));
                Add(new StockReleased(orderId));
                Add(new PaymentCompleted(orderId, $"pay_{orderId:N}", total, "EUR"));
                Add(new PaymentRefunded(orderId, $"pay_{orderId:N}", total, "EUR"));
                break;
            case Outcome.StillPending:
                Add(new StockReserved(orderId));
                break;
        }

        return events;
    }

    /// <summary>Many orders of several customers and outcomes, placed a minute apart.</summary>
    public static List<ProjectedEvent> Many(int orders, int customers = 4)
    {
        var customerIds = Enumerable.Range(0, customers).Select(_ => Guid.NewGuid()).ToArray();
        var outcomes = Enum.GetValues<Outcome>();
        Product[][] baskets = [[Mug], [Tee], [Mug, Tee], [Lamp]];
        return Enumerable.Range(0, orders).SelectMany(i => Order(Guid.NewGuid(), customerIds[i % customers], Start.AddMinutes(i),
            outcomes[i % outcomes.Length], $"customer{i % customers}@example.com", baskets[i % baskets.Length])).ToList();
    }

    public static List<ProjectedEvent> Image(Guid imageId, string sku, bool processed = true, bool failed = false)
    {
        var at = Start;
        var events = new List<ProjectedEvent>();
        void Add(object message) => events.Add(new ProjectedEvent(Guid.NewGuid(), at = at.AddMilliseconds(50), message));
        Add(new ImageUploaded(imageId, sku, $"products/{sku.ToLowerInvariant()}/{imageId:N}.jpg", "image/jpeg", "jpeg", 12345, Start));
        if (failed)
        {
            Add(new ImageProcessingFailed(imageId, "decoding took too long"));
            return events;
        }

        if (!processed)
            return events;
        Add(new ThumbnailsGenerated(imageId, [new GeneratedThumbnail(256, "webp", $"thumbnails/{imageId:N}/256.webp", 256, 171, "image/webp"),
            new GeneratedThumbnail(128, "webp", $"thumbnails/{imageId:N}/128.webp", 128, 85, "image/webp")]));
        Add(new ImageMetadataExtracted(imageId, 3000, 2000, "Canon", "EOS R6", new DateTime(2026, 5, 1, 14, 30, 0), 0.004, 2.8, 400, 50, 1,
            48.8584, 2.2945, 42));
        return events;
    }

    /// <summary>
    /// An image as the image state machine reports it: thumbnails fail, the metadata is kept (PartiallyProcessed, run 1),
    /// then a reprocess renders them (Processed, run 2).
    /// </summary>
    public static List<ProjectedEvent> ReprocessedImage(Guid imageId, string sku)
    {
        var events = Image(imageId, sku).Where(e => e.Message is not ThumbnailsGenerated).ToList();
        var at = events[^1].SentAt;
        void Add(object message) => events.Add(new ProjectedEvent(Guid.NewGuid(), at = at.AddMilliseconds(50), message));
        Add(new ImageProcessingCompleted(imageId, sku, "PartiallyProcessed", "Failed", "decoding took too long", "Succeeded", null, 1, at));
        Add(new ThumbnailsGenerated(imageId, [new GeneratedThumbnail(128, "webp", $"thumbnails/{imageId:N}/128.webp", 128, 85, "image/webp")],
            Attempt: 2));
        Add(new ImageProcessingCompleted(imageId, sku, "Processed", "Succeeded", null, "Succeeded", null, 2, at));
        return events;
    }

    /// <summary>Every event one to three times, all shuffled.</summary>
    public static List<ProjectedEvent> ShuffledWithCopies(IEnumerable<ProjectedEvent> events, int seed)
    {
        var random = new Random(seed);
        return events.SelectMany(e => Enumerable.Repeat(e, random.Next(1, 4))).OrderBy(_ => random.Next()).ToList();
    }
}
