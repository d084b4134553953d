using Shop.Notifications.Worker.Sending;

namespace Shop.Notifications.Worker.Persistence;

/// <summary>A row of the <c>notifications</c> table: one per order and kind.</summary>
public sealed class NotificationRecord
{
    NotificationRecord() { }

    public long Id { get; private set; }
    public Guid OrderId { get; private set; }
    public string Kind { get; private set; } = "";
    public string Recipient { get; private set; } = "";
    public string Subject { get; private set; } = "";
    public string Body { get; private set; } = "";
    public DateTimeOffset CreatedAt { get; private set; }

    public static NotificationRecord Of(Notification notification, DateTimeOffset now) => new()
    {
        OrderId = notification.OrderId,
        Kind = notification.Kind,
        Recipient = notification.Recipient,
        Subject = notification.Subject,
        Body = notification.Body,
        CreatedAt = now
    };
}
