using MassTransit;
using Microsoft.EntityFrameworkCore;
using Shop.Contracts.Payments;
using Shop.Messaging.EntityFrameworkCore.Storage;
using Shop.Payments.Worker.Extensions;
using Shop.Payments.Worker.Gateway;
using Shop.Payments.Worker.Persistence;
using Shop.ServiceDefaults;
using Shop.Testing;

namespace Shop.Payments.Tests.Infrastructure;

/// <summary>
/// The payments service composed as Program.cs does (<c>AddPayments()</c>, migrations), on a vhost and database of
/// its own, with observers of what it publishes and a counting gateway. One per test class.
/// </summary>
public sealed class PaymentsService : IntegrationEnvironment
{
    TestService? _service;

    public static readonly Dictionary<string, string?> GatewaySettings = new()
    {
        ["Payments:Gateway:Latency"] = "00:00:00",
        ["Payments:Gateway:SlowLatency"] = "00:00:30",
        ["Payments:Gateway:FlakyFailures"] = "2",
        ["Payments:Gateway:Resilience:TotalTimeout"] = "00:00:10",
        ["Payments:Gateway:Resilience:AttemptTimeout"] = "00:00:00.250",
        ["Payments:Gateway:Resilience:MaxRetryAttempts"] = "3",
        ["Payments:Gateway:Resilience:RetryDelay"] = "00:00:00.020",
        // Slow-card tests must not open the circuit for the other tests of the class; the unit tests cover it.
        ["Payments:Gateway:Resilience:CircuitBreakerMinimumThroughput"] = "100000",
    };

    public IServiceProvider Services => _service?.Services ?? throw new InvalidOperationException("The service has not started.");
    /// <summary>What the service published, and the faults it raised.</summary>
    public MessageLog Published => Services.GetRequiredService<MessageLog>();
    public CountingPaymentGateway Gateway => Services.GetRequiredService<CountingPaymentGateway>();

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();

        _service = await TestServiceBuilder.Worker(this)
            .With(GatewaySettings)
            .With(new Dictionary<string, string?>
            {
                ["ConnectionStrings:Payments"] = ConnectionString,
                ["Messaging:Retry:RedeliveryIntervals:1"] = "00:00:00.500",
            })
            .Add(builder =>
            {
                builder.Services.AddSingleton<MessageLog>();
                builder.Services.AddSingleton<SimulatedPaymentGateway>();
                builder.Services.AddSingleton<CountingPaymentGateway>();
                builder.Services.AddSingleton<IPaymentGateway>(provider => provider.GetRequiredService<CountingPaymentGateway>());
                builder.AddPayments(x =>
                {
                    x.AddObserver<PaymentCompleted>();
                    x.AddObserver<PaymentFailed>();
                    x.AddObserver<PaymentRefunded>();
                    x.AddObserver<Fault<ProcessPayment>>();
                });
            })
            .BeforeStart(host => host.MigrateDatabaseAsync<PaymentsDbContext>())
            .WatchOutbox<PaymentsDbContext>()
            .Start();
    }

    public override async Task DisposeAsync()
    {
        if (_service is not null)
            await _service.DisposeAsync();
        await base.DisposeAsync();
    }

    /// <summary>Waits until nothing is left to send, queued or being received: then what has not happened will not.</summary>
    public Task WaitUntilQuiet() => Quiescence.WaitUntilQuiet(_service!.Busy.Append(QueuesEmpty()));

    /// <summary>Sends as the order saga does; a fixed <paramref name="messageId"/> makes the copy look like a redelivery.</summary>
    public async Task Send<T>(string queue, T message, Guid? messageId = null) where T : class
    {
        var endpoint = await Services.GetRequiredService<IBus>().GetSendEndpoint(new Uri($"queue:{queue}"));
        await endpoint.Send(message, context =>
        {
            if (messageId is { } id)
                context.MessageId = id;
        });
    }

    public Task Process(ProcessPayment command, Guid? messageId = null) => Send("process-payment", command, messageId);

    public Task Refund(RefundPayment command, Guid? messageId = null) => Send("refund-payment", command, messageId);

    public PaymentsDbContext CreateDbContext() => new(new DbContextOptionsBuilder<PaymentsDbContext>().UseNpgsql(ConnectionString).Options);

    public async Task<List<Payment>> Ledger(Guid orderId)
    {
        await using var db = CreateDbContext();
        return await db.Payments.Where(p => p.OrderId == orderId).ToListAsync();
    }

    public async Task<List<Refund>> Refunds(Guid orderId)
    {
        await using var db = CreateDbContext();
        return await db.Refunds.Where(r => r.OrderId == orderId).ToListAsync();
    }

    /// <summary>How often the inbox saw <paramref name="messageId"/> at the <c>process-payment</c> or <c>refund-payment</c> endpoint.</summary>
    public async Task<int> ReceiveCount(Guid messageId)
    {
        await using var db = CreateDbContext();
        return await db.Set<InboxState>().Where(x => x.MessageId == messageId).SumAsync(x => x.ReceiveCount);
    }
}
