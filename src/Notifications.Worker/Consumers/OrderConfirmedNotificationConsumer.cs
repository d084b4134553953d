using MassTransit;
using Shop.Contracts.Orders;
using Shop.Notifications.Worker.Rendering;
using Shop.Notifications.Worker.Sending;

namespace Shop.Notifications.Worker.Consumers;

/// <summary>Tells the customer the order is confirmed. The name gives the endpoint (<c>order-confirmed-notification</c>) its own queue, so other subscribers of the event are not competitors.</summary>
public sealed class OrderConfirmedNotificationConsumer(INotificationSender sender) : IConsumer<OrderConfirmed>
{
    public Task Consume(ConsumeContext<OrderConfirmed> context) =>
        sender.Send(OrderNotificationTemplates.Confirmed(context.Message), context.CancellationToken);
}
