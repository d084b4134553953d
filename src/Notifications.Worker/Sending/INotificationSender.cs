namespace Shop.Notifications.Worker.Sending;

/// <summary>Where rendered notifications go: the <c>notifications</c> table (default) or an SMTP server.</summary>
public interface INotificationSender
{
    Task Send(Notification notification, CancellationToken cancellationToken);
}
