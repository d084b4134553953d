using MassTransit;
using Shop.Contracts.Orders;
using Shop.Contracts.Payments;
using Shop.Contracts.Stock;
using Shop.Messaging;
using Shop.Testing;

namespace Shop.Cli.Tests.Infrastructure;

/// <summary>
/// A service on the test's broker space that consumes what the CLI puts there: <see cref="OrderSubmitted"/> (published)
/// at <c>probe-order-submitted</c> and <see cref="ProcessPayment"/> (sent) at <c>probe-process-payment</c>. A payment
/// whose order is in <see cref="Failing"/> faults at once, so it lands in the endpoint's <c>_error</c> queue.
/// </summary>
public sealed class ProbeService(Broker broker) : IAsyncDisposable
{
    public const string PaymentEndpoint = "probe-process-payment";
    public const string OrderEndpoint = "probe-order-submitted";

    /// <summary>An endpoint of two message types: a plain JSON message must say which it is.</summary>
    public const string StockEndpoint = "probe-stock";

    IHost? _host;

    public MessageLog Consumed { get; } = new();
    public HashSet<Guid> Failing { get; } = [];

    public async Task Start()
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true, EnvironmentName = "Testing" });
        var settings = broker.Settings();
        settings["Messaging:Retry:ImmediateLimit"] = "0";
        settings["Messaging:Retry:RedeliveryEnabled"] = "false";
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Logging.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Warning);
        builder.Services.AddSingleton(this);
        builder.Services.AddShopMessaging(builder.Configuration, x =>
        {
            x.AddConsumer<ProbeProcessPaymentConsumer>().Endpoint(e => e.Name = PaymentEndpoint);
            x.AddConsumer<ProbeOrderSubmittedConsumer>().Endpoint(e => e.Name = OrderEndpoint);
            x.AddConsumer<ProbeStockConsumer>().Endpoint(e => e.Name = StockEndpoint);
        });
        _host = builder.Build();
        await _host.StartAsync();
    }

    public async ValueTask DisposeAsync()
    {
        if (_host is not null)
        {
            await _host.StopAsync();
            _host.Dispose();
        }
    }
}

/// <summary>Records the message and its headers, or faults for an order the test marked failing.</summary>
public sealed class ProbeProcessPaymentConsumer(ProbeService probe) : IConsumer<ProcessPayment>
{
    public Task Consume(ConsumeContext<ProcessPayment> context)
    {
        lock (probe.Failing)
            if (probe.Failing.Contains(context.Message.OrderId))
                throw new InvalidOperationException($"card declined for order {context.Message.OrderId}");
        probe.Consumed.Add(context);
        return Task.CompletedTask;
    }
}

public sealed class ProbeOrderSubmittedConsumer(ProbeService probe) : IConsumer<OrderSubmitted>
{
    public Task Consume(ConsumeContext<OrderSubmitted> context)
    {
        probe.Consumed.Add(context);
        return Task.CompletedTask;
    }
}

public sealed class ProbeStockConsumer(ProbeService probe) : IConsumer<StockReserved>, IConsumer<StockReleased>
{
    public Task Consume(ConsumeContext<StockReserved> context)
    {
        probe.Consumed.Add(context);
        return Task.CompletedTask;
    }

    public Task Consume(ConsumeContext<StockReleased> context)
    {
        probe.Consumed.Add(context);
        return Task.CompletedTask;
    }
}
