using Microsoft.EntityFrameworkCore;
using Shop.Notifications.Worker.Persistence;

namespace Shop.Notifications.Worker.Sending;

/// <summary>
/// Records the notification in the <c>notifications</c> table, in the consumer's transaction, and logs it. The inbox
/// already drops redeliveries; the (order, kind) key also stops the same event published twice under new ids.
/// </summary>
public sealed class DatabaseNotificationSender(NotificationsDbContext db, TimeProvider time, ILogger<DatabaseNotificationSender> logger)
    : INotificationSender
{
    public async Task Send(Notification notification, CancellationToken cancellationToken)
    {
        if (await db.Notifications.AnyAsync(n => n.OrderId == notification.OrderId && n.Kind == notification.Kind, cancellationToken))
        {
            logger.LogInformation("Notification {Kind} for order {OrderId} was already sent; not sending it again", notification.Kind, notification.OrderId);
            return;
        }

        db.Notifications.Add(NotificationRecord.Of(notification, time.GetUtcNow()));
        logger.LogDebug("Notification {Kind} for order {OrderId} to {Recipient}: {Subject}",
            notification.Kind, notification.OrderId, notification.Recipient, notification.Subject);
    }
}
