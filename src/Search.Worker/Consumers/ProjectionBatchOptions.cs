namespace Shop.Search.Worker.Consumers;

/// <summary>How the projection consumers batch (<c>Search:Batch</c>): a batch ends at the message limit or the time limit.</summary>
public sealed class ProjectionBatchOptions
{
    public const string SectionName = "Search:Batch";

    public int MessageLimit { get; set; } = 200;

    /// <summary>How long a batch waits for more messages after its first: the read model's added lag at low traffic.</summary>
    public TimeSpan TimeLimit { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>Batches of one message type in flight at once per endpoint.</summary>
    public int ConcurrencyLimit { get; set; } = 1;
}
