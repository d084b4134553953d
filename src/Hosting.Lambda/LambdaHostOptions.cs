namespace Shop.Hosting.Lambda;

/// <summary>The <c>Lambda</c> section.</summary>
public sealed class LambdaHostOptions
{
    public const string SectionName = "Lambda";

    /// <summary>
    /// A record is started only while at least this much of the invocation is left; later ones go back to the queue
    /// untouched, so none is cut off half-way by the deadline (its effects would be committed, its ack lost).
    /// </summary>
    public TimeSpan RecordTimeReserve { get; set; } = TimeSpan.FromSeconds(5);
}
