namespace Shop.Messaging.EntityFrameworkCore.Storage;

/// <summary>
/// What one transaction produced to send at once, or one scheduled message: the messages a writer keeps in memory to
/// send after its commit. It has no row of its own: every <see cref="OutboxMessage"/> row carries its unit's id, due
/// time, schedule token and attempts, so a unit costs one insert and one delete per message, not a row more with a
/// foreign key to check and a cascade to run. Delivery instances lock a unit's first row (skipping locked ones), so
/// each unit is delivered by one instance, in order.
/// </summary>
public sealed class OutboxUnit
{
    DateTime _dueTime;

    public Guid OutboxId { get; init; }
    public DateTime Created { get; init; }

    /// <summary>Not delivered before this time: now for ordinary messages, the scheduled time, or the end of the writer's lease.</summary>
    public DateTime DueTime
    {
        get => _dueTime;
        set
        {
            _dueTime = value;
            foreach (var message in Messages)
                message.DueTime = value;
        }
    }

    /// <summary>Set for scheduled messages so they can be cancelled.</summary>
    public Guid? ScheduleTokenId { get; init; }

    public List<OutboxMessage> Messages { get; } = [];

    /// <summary>
    /// Set on a unit its writer sends itself right after the commit; its <see cref="DueTime"/> is then the end of the
    /// writer's lease, when delivery rounds may take it.
    /// </summary>
    internal bool SentAfterCommit { get; init; }

    /// <summary>Set once a successful <c>SaveChanges</c> wrote the unit. A unit never written is never sent.</summary>
    internal bool Persisted { get; set; }

    /// <summary>A message of this unit, next in its order, carrying the unit's columns.</summary>
    internal OutboxMessage Add(OutboxMessage message)
    {
        message.Unit = this;
        message.OutboxId = OutboxId;
        message.SequenceNumber = Messages.Count;
        message.Created = Created;
        message.DueTime = DueTime;
        message.ScheduleTokenId = ScheduleTokenId;
        Messages.Add(message);
        return message;
    }
}
