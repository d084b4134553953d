using MassTransit;
using Microsoft.Extensions.DependencyInjection;
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

    readonly TestService _service;

    FakePaymentsService(TestService service) => _service = service;

    public MessageLog Observed => _service.Services.GetRequiredService<MessageLog>();
    public IBus Bus => _service.Bus;

    /// <summary>Where this service may still be busy (see <see cref="Quiescence"/>).</summary>
    public IEnumerable<Quiescence.Probe> Busy => _service.Busy;

    public static async Task<FakePaymentsService> Start(IntegrationEnvironment environment) =>
        new(await TestServiceBuilder.Worker(environment, fastRetries: false)
            .With(new Dictionary<string, string?>
            {
                ["Messaging:Retry:ImmediateLimit"] = "1",
                ["Messaging:Retry:RedeliveryEnabled"] = "false",
            })
            .Add(builder =>
            {
                builder.Services.AddSingleton<MessageLog>();
                builder.Services.AddShopMessaging(builder.Configuration, x =>
                {
                    x.AddConsumer<FakeProcessPaymentConsumer>().Endpoint(e => e.Name = "process-payment");
                    x.AddConsumer<ObserverConsumer<RefundPayment>>().Endpoint(e => e.Name = "refund-payment");
                    x.AddObserver<StockReserved>();
                    x.AddObserver<StockUnavailable>();
                    x.AddObserver<StockReleased>();
                    x.AddConsumer<RawBodyObserver<OrderSubmitted>>();
                    x.AddObserver<OrderConfirmed>();
                    x.AddObserver<OrderCancelled>();
                });
            })
            .Start());

    public ValueTask DisposeAsync() => _service.DisposeAsync();

    sealed class FakeProcessPaymentConsumer(MessageLog observed) : IConsumer<ProcessPayment>
    {
        public async Task Consume(ConsumeContext<ProcessPayment> context)
        {
            var payment = context.Message;
            observed.Add(context);
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
