using System.Security.Cryptography;
using MassTransit;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;
using Shop.Contracts.Orders;
using Shop.Contracts.Payments;
using Shop.Messaging;
using Shop.Payments.Tests.Infrastructure;
using Shop.Payments.Worker.Extensions;
using Shop.Payments.Worker.Persistence;
using Shop.ServiceDefaults;
using Shop.Testing;

namespace Shop.Payments.Tests;

/// <summary>
/// Payments.Worker connected as the broker user that deploy/rabbitmq/service-users.sh gives it, next to an observer
/// bus with the test's full rights that plays the rest of the shop.
/// </summary>
public sealed class PaymentsAsItsOwnBrokerUser : IntegrationEnvironment
{
    TestService? _payments;
    TestService? _shop;

    public string User => VirtualHost + "_payments";
    public string Password { get; } = Convert.ToHexString(RandomNumberGenerator.GetBytes(16));
    public IBus PaymentsBus => _payments!.Bus;
    public IBus ShopBus => _shop!.Bus;
    public MessageLog Published => _shop!.Services.GetRequiredService<MessageLog>();

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        await Management.CreateUser(User, Password, VirtualHost, await ServiceBrokerPermissions.Of("payments"));

        _shop = await TestServiceBuilder.Worker(this, fastRetries: false)
            .Add(shop =>
            {
                shop.Services.AddSingleton<MessageLog>();
                shop.Services.AddShopMessaging(shop.Configuration, x =>
                {
                    x.AddObserver<PaymentCompleted>();
                    x.AddConsumer<OrderSubmittedObserver>();
                });
            })
            .Start();

        _payments = await TestServiceBuilder.Worker(this, fastRetries: false)
            .With(PaymentsService.GatewaySettings)
            .With(new Dictionary<string, string?>
            {
                ["ConnectionStrings:Payments"] = ConnectionString,
                // The URL names the broker and vhost only; the user and password come as separate settings, as in compose.
                ["Messaging:RabbitMq:Url"] = new UriBuilder(RabbitMqUrl) { UserName = "", Password = "" }.Uri.ToString(),
                ["Messaging:RabbitMq:Username"] = User,
                ["Messaging:RabbitMq:Password"] = Password,
            })
            .Add(payments => payments.AddPayments())
            .BeforeStart(host => host.MigrateDatabaseAsync<PaymentsDbContext>())
            .Start();
    }

    public override async Task DisposeAsync()
    {
        foreach (var service in new[] { _payments, _shop }.OfType<TestService>())
            await service.DisposeAsync();

        await Management.DeleteUser(User);
        await base.DisposeAsync();
    }

    // Named: the test reads its queue, order-submitted-observer.
    sealed class OrderSubmittedObserver(MessageLog log) : ObserverConsumer<OrderSubmitted>(log);
}

// Broker users and their permissions are RabbitMQ's; on SQS the same roles are IAM policies (tests/Deployment.Aws.Tests).
[Trait("Category", "RabbitMqOnly")]
public sealed class When_payments_connects_as_its_own_broker_user(PaymentsAsItsOwnBrokerUser service) : IClassFixture<PaymentsAsItsOwnBrokerUser>
{
    [Fact]
    public async Task Should_take_payments_and_publish_their_outcome()
    {
        var orderId = Guid.NewGuid();

        var endpoint = await service.ShopBus.GetSendEndpoint(new Uri("queue:process-payment"));
        await endpoint.Send(new ProcessPayment(orderId, 12.30m, "EUR", "tok_visa"));

        var completed = await service.Published.WaitFor<PaymentCompleted>(m => m.OrderId == orderId);
        Assert.Equal(12.30m, completed.Single().Amount);
    }

    [Fact]
    public async Task Should_be_refused_when_it_publishes_an_order()
    {
        var forged = new OrderSubmitted(Guid.NewGuid(), Guid.NewGuid(), "eve@example.com", [new OrderLine("LAMP-001", 1, 0.01m)], 0.01m,
            "EUR", DateTime.UtcNow);

        // The broker refuses the declare of the exchange (403 ACCESS_REFUSED, see the next test); MassTransit treats that
        // like a lost channel and tries again until the caller gives up, so the publish never completes.
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => service.PaymentsBus.Publish(forged, timeout.Token));

        await Quiescence.WaitUntilQuiet(service.QueuesEmpty());
        Assert.Empty(service.Published.All<OrderSubmitted>(m => m.OrderId == forged.OrderId));
    }

    [Fact]
    public async Task Should_not_read_another_service_s_queue_nor_write_to_its_exchange()
    {
        var factory = new ConnectionFactory
        {
            Uri = new UriBuilder(service.RabbitMqUrl) { UserName = service.User, Password = service.Password }.Uri,
        };
        await using var connection = await factory.CreateConnectionAsync();

        // The shop bus declared the order-submitted-observer queue and the OrderSubmitted exchange.
        await using (var channel = await connection.CreateChannelAsync())
        {
            var read = await Assert.ThrowsAsync<OperationInterruptedException>(() =>
                channel.BasicConsumeAsync("order-submitted-observer", autoAck: true, new RabbitMQ.Client.Events.AsyncEventingBasicConsumer(channel)));
            Assert.Equal((ushort)403, read.ShutdownReason!.ReplyCode);
        }

        await using (var channel = await connection.CreateChannelAsync())
        {
            var declare = await Assert.ThrowsAsync<OperationInterruptedException>(() =>
                channel.ExchangeDeclareAsync("Shop.Contracts.Orders:OrderSubmitted", ExchangeType.Fanout, durable: true));
            Assert.Equal((ushort)403, declare.ShutdownReason!.ReplyCode);
        }

        await using (var channel = await connection.CreateChannelAsync(new CreateChannelOptions(publisherConfirmationsEnabled: true,
                         publisherConfirmationTrackingEnabled: true)))
        {
            var publish = await Assert.ThrowsAnyAsync<Exception>(async () =>
                await channel.BasicPublishAsync("Shop.Contracts.Orders:OrderSubmitted", "", mandatory: false, body: "{}"u8.ToArray()));
            Assert.Contains("ACCESS_REFUSED", publish.ToString());
        }
    }
}
