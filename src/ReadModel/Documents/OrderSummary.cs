namespace Shop.ReadModel.Documents;

/// <summary>
/// An order as the read side shows it: one document per order, built from the order, stock and payment events in
/// whatever order and as often as they arrive (<see cref="Projections.OrderSummaryProjection"/>).
/// </summary>
public sealed class OrderSummary
{
    public Guid OrderId { get; set; }
    public Guid? CustomerId { get; set; }
    public string? Email { get; set; }

    /// <summary>One of <see cref="OrderSummaryStatus"/>.</summary>
    public string Status { get; set; } = OrderSummaryStatus.Submitted;

    public List<OrderSummaryLine> Lines { get; set; } = [];
    public decimal? Total { get; set; }
    public string? Currency { get; set; }
    public string? PaymentId { get; set; }
    public decimal? AmountPaid { get; set; }
    public decimal? AmountRefunded { get; set; }
    public string? PaymentFailure { get; set; }
    public string? CancellationReason { get; set; }

    /// <summary>Each event of the order once, oldest first.</summary>
    public List<OrderTimelineEvent> Timeline { get; set; } = [];

    /// <summary>
    /// The lifecycle step of the newest status event applied (<see cref="Projections.OrderSummaryProjection"/>): an event
    /// of a lower step never sets the status again.
    /// </summary>
    public int Version { get; set; }

    public DateTime? SubmittedAt { get; set; }

    /// <summary>When the order was placed (or, before its <c>OrderSubmitted</c> arrived, its earliest event): the sort order.</summary>
    public DateTime PlacedAt { get; set; }

    /// <summary><see cref="PlacedAt"/> and the id in one ordinal-sortable string: the position a page cursor points at.</summary>
    public string SortKey { get; set; } = "";

    /// <summary>Lower-case words the full-text search looks in: email, SKUs, product names.</summary>
    public string SearchText { get; set; } = "";

    /// <summary>The newest event time applied (its own timestamp, or when it was sent).</summary>
    public DateTime LastEventAt { get; set; }

    /// <summary>When the read side last changed the document.</summary>
    public DateTime UpdatedAt { get; set; }

    /// <summary>Optimistic concurrency between projector instances: 0 for a document not stored yet.</summary>
    public long Revision { get; set; }
}

public static class OrderSummaryStatus
{
    public const string Submitted = "Submitted";
    public const string PaymentPending = "PaymentPending";
    public const string Confirmed = "Confirmed";
    public const string Cancelled = "Cancelled";

    public static readonly IReadOnlyList<string> All = [Submitted, PaymentPending, Confirmed, Cancelled];

    /// <summary>The status spelled as the read model stores it, or null when <paramref name="value"/> is none.</summary>
    public static string? Parse(string value) => All.FirstOrDefault(s => string.Equals(s, value, StringComparison.OrdinalIgnoreCase));
}

public sealed record OrderSummaryLine(string Sku, string? ProductName, int Quantity, decimal UnitPrice);

/// <param name="Event">The event's name without namespace (<c>OrderSubmitted</c>, <c>PaymentCompleted</c>, ...).</param>
/// <param name="Detail">A reason or a payment id, where the event has one.</param>
public sealed record OrderTimelineEvent(string Event, DateTime At, string? Detail);
