using MassTransit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Shop.Contracts.Orders;
using Shop.Contracts.Payments;
using Shop.Contracts.Stock;
using Shop.Messaging;
using Shop.Testing;

namespace Shop.Orders.Tests.Infrastructure;

/// <summary>
/// Stands in for Payments.Worker on the process-payment and refund-payment queues, and watches the events the
/// Orders service publishes. Card tokens decide the outcome: <see cref="Declined"/> fails, <see cref="Silent"/>
/// never answers, anything else is charged.
/// </summary>
public sealed class FakePaymentsService : IAsyncDisposable
{
    public const string Declined = "tok_declined";
    public const string Silent = "tok_silent";

    readonly IHost _host;

    FakePaymentsService(IHost host) => _host = host;

    public Observed Observed => _host.Services.GetRequiredService<Observed>();
    public IBus Bus => _host.Services.GetRequiredService<IBus>();

    public static async Task<FakePaymentsService> Start(IntegrationEnvironment environment)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true, EnvironmentName = "Testing" });
        builder.Configuration.AddInMemoryCollection(environment.WithTransport(new Dictionary<string, string?>
        {
            ["Messaging:Retry:ImmediateLimit"] = "1",
            ["Messaging:Retry:RedeliveryEnabled"] = "false",
        }));
        builder.Services.AddSingleton<Observed>();
        builder.Services.AddShopMessaging(builder.Configuration, x =>
        {
            x.AddConsumer<FakeProcessPaymentConsumer>().Endpoint(e => e.Name = "process-payment");
            x.AddConsumer<ObserverConsumer<RefundPayment>>().Endpoint(e => e.Name = "refund-payment");
            x.AddConsumer<ObserverConsumer<StockReserved>>();
            x.AddConsumer<ObserverConsumer<StockUnavailable>>();
            x.AddConsumer<ObserverConsumer<StockReleased>>();
            x.AddConsumer<RawBodyObserver<OrderSubmitted>>();
            x.AddConsumer<ObserverConsumer<OrderConfirmed>>();
            x.AddConsumer<ObserverConsumer<OrderCancelled>>();
        });

        var host = builder.Build();
        await host.StartAsync();
        return new FakePaymentsService(host);
    }

    public async ValueTask DisposeAsync()
    {
        await _host.StopAsync(TimeSpan.FromSeconds(15));
        _host.Dispose();
    }

    sealed class FakeProcessPaymentConsumer(Observed observed) : IConsumer<ProcessPayment>
    {
        public async Task Consume(ConsumeContext<ProcessPayment> context)
        {
            var payment = context.Message;
            observed.Add(payment);
            switch (payment.CardToken)
            {
                case Silent:
                    return;
                case Declined:
                    await context.Publish(new PaymentFailed(payment.OrderId, "card declined"));
                    return;
                default:
                    await context.Publish(new PaymentCompleted(payment.OrderId, $"pay_{payment.OrderId:N}", payment.Amount, payment.Currency));
                    return;
            }
        }
    }
}
