using System.Collections.Concurrent;
using MassTransit;
using MassTransit.Testing;
using Microsoft.Extensions.DependencyInjection;
using Shop.Contracts.Orders;
using Shop.Orders.Api.StateMachines;

namespace Shop.Orders.Tests.Sagas;

/// <summary>The order saga alone on MassTransit's in-memory test harness, with short timeouts and an in-memory status log.</summary>
public sealed class SagaSpec : IAsyncDisposable
{
    readonly ServiceProvider _provider;

    SagaSpec(ServiceProvider provider)
    {
        _provider = provider;
        Harness = provider.GetRequiredService<ITestHarness>();
        Saga = Harness.GetSagaStateMachineHarness<OrderStateMachine, OrderState>();
    }

    public ITestHarness Harness { get; }
    public ISagaStateMachineTestHarness<OrderStateMachine, OrderState> Saga { get; }
    public OrderStateMachine Machine => Saga.StateMachine;
    public RecordingStatusLog StatusLog => _provider.GetRequiredService<RecordingStatusLog>();

    public static async Task<SagaSpec> Start(TimeSpan? stockTimeout = null, TimeSpan? paymentTimeout = null,
        Action<IBusRegistrationConfigurator>? configure = null)
    {
        var provider = new ServiceCollection()
            .AddSingleton(TimeProvider.System)
            .AddSingleton<RecordingStatusLog>()
            .AddSingleton<IOrderStatusLog>(p => p.GetRequiredService<RecordingStatusLog>())
            .AddSingleton<IOrderCheck, CatalogOrderCheck>()
            .AddLogging()
            .AddSingleton<IOrderCardTokens, KeptCardTokens>()
            .Configure<OrderSagaOptions>(o =>
            {
                o.StockTimeout = stockTimeout ?? TimeSpan.FromMinutes(5);
                o.PaymentTimeout = paymentTimeout ?? TimeSpan.FromMinutes(5);
            })
            .AddMassTransitTestHarness(x =>
            {
                // Inactivity is the harness's "nothing more happens"; on a loaded machine a second passes without any.
                x.SetTestTimeouts(testTimeout: TimeSpan.FromSeconds(30), testInactivityTimeout: TimeSpan.FromSeconds(3));
                x.AddDelayedMessageScheduler();
                x.AddSagaStateMachine<OrderStateMachine, OrderState>().InMemoryRepository();
                configure?.Invoke(x);
                x.UsingInMemory((context, cfg) =>
                {
                    cfg.UseDelayedMessageScheduler();
                    cfg.ConfigureEndpoints(context);
                });
            })
            .BuildServiceProvider(true);

        var spec = new SagaSpec(provider);
        await spec.Harness.Start();
        return spec;
    }

    /// <summary>An order as the API publishes it, with its card token kept aside as the API keeps it (null: none kept).</summary>
    public static OrderSubmitted NewOrder(string? cardToken = "tok_visa")
    {
        var order = new OrderSubmitted(
            NewId.NextGuid(),
            NewId.NextGuid(),
            "ann@example.com",
            [new OrderLine("MUG-001", 2, 9.90m), new OrderLine("TEE-001", 1, 19.90m)],
            39.70m,
            "EUR",
            DateTime.UtcNow);
        if (cardToken is not null)
            KeptCardTokens.Kept[order.OrderId] = cardToken;
        return order;
    }

    /// <summary>Publishes and waits until the saga instance is in <paramref name="state"/>.</summary>
    public async Task<OrderState> PublishAndExpect<T>(T message, Guid orderId, Func<OrderStateMachine, State> state) where T : class
    {
        await Harness.Bus.Publish(message);
        return await InState(orderId, state);
    }

    public async Task<OrderState> InState(Guid orderId, Func<OrderStateMachine, State> state, TimeSpan? timeout = null)
    {
        var found = await Saga.Exists(orderId, state, timeout ?? TimeSpan.FromSeconds(10));
        Assert.True(found.HasValue, $"The saga {orderId} did not reach {state(Machine).Name}.");
        return Saga.Sagas.ContainsInState(orderId, Machine, state)
            ?? throw new Xunit.Sdk.XunitException($"The saga {orderId} left {state(Machine).Name} again.");
    }

    public async Task<OrderState> Submitted(OrderSubmitted order) => await PublishAndExpect(order, order.OrderId, m => m.Submitted);

    public async Task<OrderState> PaymentPending(OrderSubmitted order)
    {
        await Submitted(order);
        return await PublishAndExpect(new Shop.Contracts.Stock.StockReserved(order.OrderId), order.OrderId, m => m.PaymentPending);
    }

    public async ValueTask DisposeAsync()
    {
        await Harness.Stop();
        await _provider.DisposeAsync();
    }
}

/// <summary>The saga's check with no stored orders: every order is priced from the seeded catalog.</summary>
public sealed class CatalogOrderCheck : IOrderCheck
{
    static readonly Dictionary<string, Shop.Orders.Api.Domain.Product> Products =
        Shop.Orders.Api.Persistence.Catalog.Products.ToDictionary(p => p.Product.Sku, p => p.Product);

    public Task<string?> RefusalOf(OrderSubmitted order, CancellationToken cancellationToken) =>
        Task.FromResult(OrderCheckRules.AgainstCatalog(order, Products));
}

/// <summary>The card tokens the API would have kept in <c>order_card_tokens</c>, by order id (unique across tests).</summary>
public sealed class KeptCardTokens : IOrderCardTokens
{
    public static readonly ConcurrentDictionary<Guid, string> Kept = new();

    public Task<string?> Take(Guid orderId, CancellationToken cancellationToken) =>
        Task.FromResult(Kept.TryRemove(orderId, out var token) ? token : null);
}

/// <summary>What the saga recorded for the API, in order.</summary>
public sealed class RecordingStatusLog : IOrderStatusLog
{
    readonly ConcurrentQueue<(Guid OrderId, string Status, string? Reason)> _entries = new();

    public Task Record(Guid orderId, string status, string? reason, DateTime at, CancellationToken cancellationToken)
    {
        _entries.Enqueue((orderId, status, reason));
        return Task.CompletedTask;
    }

    /// <summary>The saga records after it transitions, so a test that saw the new state waits briefly for the record.</summary>
    public async Task Expect(Guid orderId, params string[] statuses)
    {
        var recorded = await Shop.Testing.Eventually.Returns(() => Task.FromResult(StatusesOf(orderId)), s => s.Count >= statuses.Length,
            $"{statuses.Length} recorded status(es) of {orderId}", TimeSpan.FromSeconds(10));
        Assert.Equal(statuses, recorded);
    }

    public IReadOnlyList<string> StatusesOf(Guid orderId) => _entries.Where(e => e.OrderId == orderId).Select(e => e.Status).ToList();

    public string? LastReasonOf(Guid orderId) => _entries.LastOrDefault(e => e.OrderId == orderId).Reason;
}
