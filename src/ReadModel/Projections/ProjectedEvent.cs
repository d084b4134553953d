namespace Shop.ReadModel.Projections;

/// <summary>
/// One event on its way into the read model (and the archive): the message, its id on the bus and when it was sent,
/// which is the event's time for events that carry none of their own.
/// </summary>
public sealed record ProjectedEvent(Guid MessageId, DateTime SentAt, object Message)
{
    public string Type => ReadModelEvents.NameOf(Message.GetType());
}
