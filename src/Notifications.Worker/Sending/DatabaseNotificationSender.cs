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
    // Compiled once: a LINQ query pays for parameter extraction and a cache lookup of its expression on every call.
    static readonly Func<NotificationsDbContext, Guid, string, CancellationToken, Task<bool>> AlreadySent = EF.CompileAsyncQuery(
        (NotificationsDbContext db, Guid orderId, string kind, CancellationToken _) => db.Notifications.Any(n => n.OrderId == orderId && n.Kind == kind));

    public async Task Send(Notification notification, CancellationToken cancellationToken)
    {
        if (await AlreadySent(db, notification.OrderId, notification.Kind, cancellationToken))
        {
            logger.LogInformation("Notification {Kind} for order {OrderId} was already sent; not sending it again", notification.Kind, notification.OrderId);
            return;
        }

        db.Notifications.Add(NotificationRecord.Of(notification, time.GetUtcNow()));
        logger.LogDebug("Notification {Kind} for order {OrderId} to {Recipient}: {Subject}",
            notification.Kind, notification.OrderId, notification.Recipient, notification.Subject);
    }
}
