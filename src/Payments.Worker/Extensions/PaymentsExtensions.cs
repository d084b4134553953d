using MassTransit;
using Shop.Messaging.EntityFrameworkCore;
using Shop.Payments.Worker.Consumers;
using Shop.Payments.Worker.Gateway;
using Shop.Payments.Worker.Persistence;
using Shop.ServiceDefaults;

namespace Shop.Payments.Worker.Extensions;

public static class PaymentsExtensions
{
    public const string ConnectionStringName = "Payments";

    /// <summary>
    /// The payments service: its database (<c>ConnectionStrings:Payments</c>), the gateway with its resilience
    /// pipeline (<c>Payments:Gateway</c>) and the bus with the <c>process-payment</c> and <c>refund-payment</c>
    /// endpoints. <paramref name="configureBus"/> lets a host that embeds the service (tests) add its own consumers.
    /// </summary>
    public static IHostApplicationBuilder AddPayments(this IHostApplicationBuilder builder, Action<IBusRegistrationConfigurator>? configureBus = null)
    {
        builder.Services.AddServiceDatabase<PaymentsDbContext, PaymentsSqliteMigrations>(builder.Configuration, ConnectionStringName);
        builder.Services.AddPaymentGateway(builder.Configuration);

        builder.Services.AddShopMessaging<PaymentsDbContext>(builder.Configuration, x =>
        {
            x.AddConsumer<ProcessPaymentConsumer>();
            x.AddConsumer<RefundPaymentConsumer>();
            configureBus?.Invoke(x);
        });

        return builder;
    }
}
