namespace Shop.Messaging.EntityFrameworkCore.Storage;

/// <summary>One row per message a consumer has seen; its presence with <see cref="Consumed"/> set makes a redelivery a no-op.</summary>
public sealed class InboxState
{
    public Guid MessageId { get; set; }

    /// <summary>Derived from the endpoint name and consumer type, so one message fanned out to two consumers is tracked twice.</summary>
    public Guid ConsumerId { get; set; }

    public DateTime Received { get; set; }
    public int ReceiveCount { get; set; }
    public DateTime? Consumed { get; set; }
}
