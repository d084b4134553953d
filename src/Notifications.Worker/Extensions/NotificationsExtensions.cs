using MassTransit;
using Shop.Messaging.EntityFrameworkCore;
using Shop.Notifications.Worker.Consumers;
using Shop.Notifications.Worker.Persistence;
using Shop.Notifications.Worker.Sending;
using Shop.ServiceDefaults;

namespace Shop.Notifications.Worker.Extensions;

public static class NotificationsExtensions
{
    public const string ConnectionStringName = "Notifications";

    /// <summary>
    /// The notifications service: its database (<c>ConnectionStrings:Notifications</c>), the sender chosen by
    /// <c>Notifications:Sender</c> and the bus with one endpoint per order event it answers.
    /// <paramref name="configureBus"/> lets a host that embeds the service (tests) add its own consumers.
    /// </summary>
    public static IHostApplicationBuilder AddNotifications(this IHostApplicationBuilder builder, Action<IBusRegistrationConfigurator>? configureBus = null)
    {
        builder.Services.AddServiceDatabase<NotificationsDbContext, NotificationsSqliteMigrations>(builder.Configuration, ConnectionStringName);
        builder.Services.AddNotificationSender(builder.Configuration);

        builder.Services.AddShopMessaging<NotificationsDbContext>(builder.Configuration, x =>
        {
            x.AddConsumer<OrderConfirmedNotificationConsumer>();
            x.AddConsumer<OrderCancelledNotificationConsumer>();
            configureBus?.Invoke(x);
        });

        return builder;
    }
}
