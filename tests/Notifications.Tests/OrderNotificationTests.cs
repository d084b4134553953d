using Shop.Contracts.Orders;
using Shop.Notifications.Tests.Infrastructure;
using Shop.Notifications.Worker.Sending;
using Shop.Testing;

namespace Shop.Notifications.Tests;

public sealed class When_an_order_is_confirmed(NotificationsService service) : IClassFixture<NotificationsService>
{
    [Fact]
    public async Task Should_record_one_notification_even_when_the_event_arrives_twice()
    {
        var orderId = Guid.NewGuid();
        var confirmed = new OrderConfirmed(orderId, Guid.NewGuid(), "ada@example.com", 129.90m, "EUR", DateTime.UtcNow);
        var messageId = Guid.NewGuid();

        await service.Publish(confirmed, messageId);
        await Eventually.Returns(() => service.Notifications(orderId), rows => rows.Count == 1, "the confirmation");
        await service.Publish(confirmed, messageId);
        await Eventually.Returns(() => service.ReceiveCount(messageId), n => n == 2, "the inbox to see the redelivery");

        // The same event published again under a new id gets past the inbox; the (order, kind) key stops it.
        var republished = Guid.NewGuid();
        await service.Publish(confirmed, republished);
        await Eventually.Returns(() => service.Consumed(republished), consumed => consumed, "the republished event to be consumed");

        var notification = Assert.Single(await service.Notifications(orderId));
        Assert.Equal(NotificationKinds.OrderConfirmed, notification.Kind);
        Assert.Equal("ada@example.com", notification.Recipient);
        Assert.Contains(orderId.ToString(), notification.Subject);
        Assert.Contains(orderId.ToString(), notification.Body);
        Assert.Contains("129.90 EUR", notification.Body);
    }
}

public sealed class When_an_order_is_cancelled(NotificationsService service) : IClassFixture<NotificationsService>
{
    [Fact]
    public async Task Should_record_one_notification_with_the_reason_even_when_the_event_arrives_twice()
    {
        var orderId = Guid.NewGuid();
        var cancelled = new OrderCancelled(orderId, Guid.NewGuid(), "grace@example.com", "card declined", DateTime.UtcNow);
        var messageId = Guid.NewGuid();

        await service.Publish(cancelled, messageId);
        await Eventually.Returns(() => service.Notifications(orderId), rows => rows.Count == 1, "the cancellation notice");
        await service.Publish(cancelled, messageId);
        await Eventually.Returns(() => service.ReceiveCount(messageId), n => n == 2, "the inbox to see the redelivery");
        var republished = Guid.NewGuid();
        await service.Publish(cancelled, republished);
        await Eventually.Returns(() => service.Consumed(republished), consumed => consumed, "the republished event to be consumed");

        var notification = Assert.Single(await service.Notifications(orderId));
        Assert.Equal(NotificationKinds.OrderCancelled, notification.Kind);
        Assert.Equal("grace@example.com", notification.Recipient);
        Assert.Contains(orderId.ToString(), notification.Subject);
        Assert.Contains("Reason: card declined", notification.Body);
    }

    [Fact]
    public async Task Should_notify_a_confirmed_order_that_is_cancelled_later_once_for_each_event()
    {
        var orderId = Guid.NewGuid();

        await service.Publish(new OrderConfirmed(orderId, Guid.NewGuid(), "alan@example.com", 10m, "EUR", DateTime.UtcNow), Guid.NewGuid());
        await service.Publish(new OrderCancelled(orderId, Guid.NewGuid(), "alan@example.com", "out of stock", DateTime.UtcNow), Guid.NewGuid());

        var rows = await Eventually.Returns(() => service.Notifications(orderId), rows => rows.Count == 2, "both notifications");
        Assert.Equal([NotificationKinds.OrderCancelled, NotificationKinds.OrderConfirmed], rows.Select(r => r.Kind).Order());
    }
}
