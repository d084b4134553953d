using Shop.Contracts.Orders;
using Shop.Notifications.Worker.Rendering;
using Shop.Notifications.Worker.Sending;

namespace Shop.Notifications.Tests;

[Trait("Category", "NoTransport")]
public sealed class The_order_notification_templates
{
    [Fact]
    public void Should_tell_the_customer_which_order_was_confirmed_and_what_it_cost()
    {
        var orderId = Guid.NewGuid();

        var notification = OrderNotificationTemplates.Confirmed(
            new OrderConfirmed(orderId, Guid.NewGuid(), "ada@example.com", 1234.5m, "CHF", new DateTime(2025, 3, 1, 14, 5, 0, DateTimeKind.Utc)));

        Assert.Equal(new Notification(orderId, NotificationKinds.OrderConfirmed, "ada@example.com", $"Your order {orderId} is confirmed", notification.Body),
            notification);
        Assert.Contains(orderId.ToString(), notification.Body);
        Assert.Contains("1234.50 CHF", notification.Body);
        Assert.Contains("2025-03-01 14:05 UTC", notification.Body);
    }

    [Fact]
    public void Should_tell_the_customer_why_the_order_was_cancelled()
    {
        var orderId = Guid.NewGuid();

        var notification = OrderNotificationTemplates.Cancelled(
            new OrderCancelled(orderId, Guid.NewGuid(), "grace@example.com", "insufficient funds", DateTime.UtcNow));

        Assert.Equal(NotificationKinds.OrderCancelled, notification.Kind);
        Assert.Equal("grace@example.com", notification.Recipient);
        Assert.Contains(orderId.ToString(), notification.Subject);
        Assert.Contains("Reason: insufficient funds", notification.Body);
    }
}
