namespace Shop.Messaging.EntityFrameworkCore.Storage;

/// <summary>
/// One row per unit of outgoing messages: what one transaction produced, or one scheduled message. Delivery
/// instances lock these rows (skipping locked ones), so each unit is delivered by one instance, in order.
/// </summary>
public sealed class OutboxState
{
    public Guid OutboxId { get; set; }
    public DateTime Created { get; set; }

    /// <summary>Not delivered before this time: now for ordinary messages, the scheduled time, or the next attempt after a failure.</summary>
    public DateTime DueTime { get; set; }

    /// <summary>Set for scheduled messages so they can be cancelled.</summary>
    public Guid? ScheduleTokenId { get; set; }

    public int Attempts { get; set; }
    public string? LastError { get; set; }

    public List<OutboxMessage> Messages { get; set; } = [];

    /// <summary>
    /// Not stored: set on a unit its writer sends itself right after the commit; its <see cref="DueTime"/> is then the
    /// end of the writer's lease, when delivery rounds may take it.
    /// </summary>
    internal bool SentAfterCommit { get; set; }

    /// <summary>Not stored: set once a successful <c>SaveChanges</c> wrote the unit. A unit never written is never sent.</summary>
    internal bool Persisted { get; set; }
}
