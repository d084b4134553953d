namespace Shop.Notifications.Worker.Sending;

/// <summary>A rendered message for one customer about one order; <see cref="Kind"/> says which event it answers.</summary>
public sealed record Notification(Guid OrderId, string Kind, string Recipient, string Subject, string Body);

public static class NotificationKinds
{
    public const string OrderConfirmed = "order-confirmed";
    public const string OrderCancelled = "order-cancelled";
}
