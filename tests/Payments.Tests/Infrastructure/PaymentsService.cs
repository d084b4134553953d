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
    IHost? _host;

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

    public IServiceProvider Services => _host?.Services ?? throw new InvalidOperationException("The service has not started.");
    public Published Published => Services.GetRequiredService<Published>();
    public CountingPaymentGateway Gateway => Services.GetRequiredService<CountingPaymentGateway>();

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();

        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true, EnvironmentName = "Testing" });
        builder.Configuration.AddInMemoryCollection(WithTransport(new Dictionary<string, string?>(GatewaySettings)
        {
            ["ConnectionStrings:Payments"] = ConnectionString,
            ["Messaging:Retry:ImmediateLimit"] = "3",
            ["Messaging:Retry:ImmediateMinInterval"] = "00:00:00.050",
            ["Messaging:Retry:ImmediateMaxInterval"] = "00:00:00.200",
            ["Messaging:Retry:ImmediateIntervalDelta"] = "00:00:00.050",
            ["Messaging:Retry:RedeliveryIntervals:0"] = "00:00:00.500",
            ["Messaging:Retry:RedeliveryIntervals:1"] = "00:00:00.500",
            ["Messaging:DurableStore:PollInterval"] = "00:00:00.500",
            ["Messaging:DurableStore:MinRetryDelay"] = "00:00:00.200",
            ["Messaging:DurableStore:MaxRetryDelay"] = "00:00:01",
        }));
        builder.Logging.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Warning)
            .AddFilter("Shop", Enum.Parse<LogLevel>(Environment.GetEnvironmentVariable("SHOP_TEST_LOG_LEVEL") ?? "Warning"));

        builder.Services.AddSingleton<Published>();
        builder.Services.AddSingleton<SimulatedPaymentGateway>();
        builder.Services.AddSingleton<CountingPaymentGateway>();
        builder.Services.AddSingleton<IPaymentGateway>(provider => provider.GetRequiredService<CountingPaymentGateway>());

        builder.AddPayments(x =>
        {
            x.AddConsumer<PaymentCompletedObserver>();
            x.AddConsumer<PaymentFailedObserver>();
            x.AddConsumer<PaymentRefundedObserver>();
            x.AddConsumer<ProcessPaymentFaultObserver>();
        });

        _host = builder.Build();
        await _host.MigrateDatabaseAsync<PaymentsDbContext>();
        await _host.StartAsync();
    }


    public override async Task DisposeAsync()
    {
        if (_host is not null)
        {
            await _host.StopAsync(TimeSpan.FromSeconds(15));
            _host.Dispose();
        }

        await base.DisposeAsync();
    }

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
