using System.Globalization;
using Shop.Contracts.Orders;
using Shop.Notifications.Worker.Sending;

namespace Shop.Notifications.Worker.Rendering;

/// <summary>Plain-text messages for the order events customers hear about.</summary>
public static class OrderNotificationTemplates
{
    public static Notification Confirmed(OrderConfirmed order) => new(
        order.OrderId,
        NotificationKinds.OrderConfirmed,
        order.Email,
        Invariant($"Your order {order.OrderId} is confirmed"),
        Invariant($"""
            Hello,

            thank you for your order {order.OrderId}. We have received your payment of {order.Total:0.00} {order.Currency}
            and confirmed the order on {order.ConfirmedAt:yyyy-MM-dd HH:mm} UTC. We will let you know when it ships.

            Your Shop
            """));

    public static Notification Cancelled(OrderCancelled order) => new(
        order.OrderId,
        NotificationKinds.OrderCancelled,
        order.Email,
        Invariant($"Your order {order.OrderId} was cancelled"),
        Invariant($"""
            Hello,

            we are sorry: your order {order.OrderId} was cancelled on {order.CancelledAt:yyyy-MM-dd HH:mm} UTC.
            Reason: {order.Reason}
            Anything that was charged for this order is refunded.

            Your Shop
            """));

    static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
