namespace Shop.Messaging.EntityFrameworkCore;

/// <summary>The <c>Messaging:Outbox</c> and <c>Messaging:Inbox</c> settings of the durable store.</summary>
public sealed class DurableStoreOptions
{
    /// <summary>Longest wait between delivery queries when nothing wakes the service (other instances' commits, due schedules).</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How often, at most, the outbox backlog gauges are counted (only while an exporter collects them).</summary>
    public TimeSpan BacklogInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Outboxes locked and delivered per database transaction.</summary>
    public int BatchSize { get; set; } = 100;

    /// <summary>Outboxes sent concurrently within a batch; messages of one outbox always go one after another.</summary>
    public int DeliveryConcurrency { get; set; } = 16;

    /// <summary>Time allowed for one send to the broker before the attempt counts as failed.</summary>
    public TimeSpan SendTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>First pause after a failed delivery; doubles per attempt up to <see cref="MaxRetryDelay"/>. Nothing is ever dropped.</summary>
    public TimeSpan MinRetryDelay { get; set; } = TimeSpan.FromSeconds(1);
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Run the delivery service in this process (switch off in processes that only write).</summary>
    public bool DeliveryEnabled { get; set; } = true;

    /// <summary>
    /// Send messages due now right after the commit that wrote them, instead of waiting for the delivery service's next
    /// round; the service (in this process or another) still sends whatever this leaves. On by default: measured on a
    /// quiet machine it halves the outbox lag and the order latency at half load (docs/performance.md has the figures).
    /// </summary>
    public bool DeliverAfterCommit { get; set; } = true;

    /// <summary>
    /// With <see cref="DeliverAfterCommit"/>, how long delivery rounds leave a just-written unit to its writer. The
    /// writer sends it without locking the row and deletes it later in a batch with others; if it dies first or its
    /// send fails, the unit falls to the delivery service when this ends. Longer than a unit's sends can take (see
    /// <see cref="SendTimeout"/>), or a slow send may go out twice (an inbox absorbs that).
    /// </summary>
    public TimeSpan AfterCommitLease { get; set; } = TimeSpan.FromSeconds(30);

    internal TimeSpan? AfterCommitLeaseOrNull => DeliverAfterCommit ? AfterCommitLease : null;

    /// <summary>
    /// Consumers of this service's database holding a transaction at once, across all its endpoints (more wait for a
    /// slot, not for a pooled connection that may time out). Default: nine tenths of the connection string's
    /// <c>Maximum Pool Size</c> (Npgsql's default 100 gives 90), leaving the rest to requests and delivery.
    /// </summary>
    public int? MaxConcurrentTransactions { get; set; }

    /// <summary>
    /// On PostgreSQL, the most consumes whose commits share one transaction and one round trip (those whose whole
    /// transaction is their last batch: <see cref="ClaimAtCommitAttribute"/> consumers on a first delivery, and
    /// consumers that run outside a transaction). Groups form only while consumes wait for a lane. 1 turns it off.
    /// </summary>
    public int GroupCommitLimit { get; set; } = 16;

    /// <summary>Connections of this service's database that run groups of commits side by side.</summary>
    public int GroupCommitLanes { get; set; } = 2;

    /// <summary>
    /// Readiness fails (<c>/health/ready</c>) while more outboxes than this wait for delivery: the broker is not taking
    /// this service's messages as fast as it produces them.
    /// </summary>
    public int ReadyOutboxBacklog { get; set; } = 10_000;

    /// <summary>How long consumed inbox rows are kept to recognise redeliveries.</summary>
    public TimeSpan InboxRetention { get; set; } = TimeSpan.FromDays(7);
    public TimeSpan InboxCleanupInterval { get; set; } = TimeSpan.FromMinutes(10);
}
