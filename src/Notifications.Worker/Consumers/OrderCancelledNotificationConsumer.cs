using MassTransit;
using Shop.Contracts.Orders;
using Shop.Notifications.Worker.Rendering;
using Shop.Notifications.Worker.Sending;

namespace Shop.Notifications.Worker.Consumers;

/// <summary>Tells the customer the order was cancelled and why (endpoint <c>order-cancelled-notification</c>).</summary>
public sealed class OrderCancelledNotificationConsumer(INotificationSender sender) : IConsumer<OrderCancelled>
{
    public Task Consume(ConsumeContext<OrderCancelled> context) =>
        sender.Send(OrderNotificationTemplates.Cancelled(context.Message), context.CancellationToken);
}
