using System.Diagnostics.Metrics;
using System.Net;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Shop.Messaging;
using Shop.Orders.Api.Extensions;
using Shop.Orders.Api.Persistence;
using Shop.ServiceDefaults;
using Shop.Testing;
using Xunit;
using Xunit.Abstractions;

namespace Shop.Observability.Tests;

/// <summary>
/// Orders.Api on the transport under test and real PostgreSQL, first with its outbox delivery stopped, then started
/// again: the backlog gauges (read as an exporter reads them, through a <see cref="MeterListener"/>) rise and fall
/// back, and the orders written while nothing was delivered still land in the trace of the request that placed them
/// in the real dashboard, sent by a later process's delivery service.
/// </summary>
public sealed class When_outbox_delivery_stops_and_restarts(IntegrationEnvironment environment, ITestOutputHelper output)
    : IClassFixture<IntegrationEnvironment>
{
    [Fact]
    public async Task Should_show_the_backlog_grow_and_drain_and_keep_each_order_in_its_request_trace()
    {
        await using var dashboard = await AspireDashboard.Start();
        var database = await environment.CreateDatabase("orders");
        var readModel = await environment.CreateDatabase("readmodel");
        using var gauges = new OutboxGauges();

        var ids = new List<Guid>();
        await using (var stopped = await StartOrders(database, readModel, dashboard, deliver: false))
        {
            using var api = stopped.GetTestClient();
            for (var i = 0; i < 3; i++)
                ids.Add(await PlaceOrder(api));

            var first = await Eventually.Returns(() => Task.FromResult(gauges.Read()), g => g.Pending >= 3 && g.OldestAge > 0,
                "shop.outbox.pending to count the three undelivered orders", TimeSpan.FromSeconds(30));
            // Nothing is sent, so the oldest unit only gets older.
            var later = await Eventually.Returns(() => Task.FromResult(gauges.Read()), g => g.OldestAge > first.OldestAge + 1,
                "the oldest pending unit to age", TimeSpan.FromSeconds(30));
            Assert.True(later.Pending >= 3, $"pending went down to {later.Pending} with delivery stopped");
            output.WriteLine($"delivery stopped: pending {later.Pending}, oldest {later.OldestAge:0.0} s");
        }

        await using var restarted = await StartOrders(database, readModel, dashboard, deliver: true);
        var drained = await Eventually.Returns(() => Task.FromResult(gauges.Read()), g => g.Pending == 0 && g.OldestAge == 0,
            "shop.outbox.pending back to 0 once delivery runs", TimeSpan.FromMinutes(1));
        output.WriteLine($"delivery restarted: pending {drained.Pending}, oldest {drained.OldestAge:0.0} s");

        // No payment service runs: each order waits for its payment until the saga's durable timeout, a scheduled
        // message that the delivery service sends when due, fires and cancels it.
        using var client = restarted.GetTestClient().WithBearer(TestTokens.Staff());
        foreach (var id in ids)
            await Eventually.Returns(async () => (await client.GetFromJsonAsync<Accepted>($"/orders/{id}"))!.Status, status => status == "Cancelled",
                $"order {id} to be cancelled by its payment timeout", TimeSpan.FromMinutes(1));

        // The saga and consumer instruments saw the same: three sagas ended Cancelled, each OrderSubmitted timed.
        await Eventually.Returns(() => Task.FromResult(gauges.SagaInstances("Cancelled")), count => count == 3,
            "shop.saga.instances to count three Cancelled orders", TimeSpan.FromSeconds(30));
        Assert.True(gauges.Processed("OrderSubmitted") >= 3, $"messaging.process.duration recorded {gauges.Processed("OrderSubmitted")} OrderSubmitted");

        // The saga consumed each order's OrderSubmitted, sent by the restarted process's delivery service long after
        // the request, and later its own timeout: both within the trace of the request that placed the order.
        IReadOnlyList<DashboardSpan> spans = [];
        try
        {
            spans = await Eventually.Returns(dashboard.Spans, all => ids.All(id => InRequestTrace(all, id, "OrderSubmitted") && InRequestTrace(all, id, "PaymentTimedOut")),
                "each order's saga steps in its request's trace", TimeSpan.FromMinutes(1));
        }
        finally
        {
            if (spans.Count == 0)
                foreach (var span in (await dashboard.Spans()).Where(s => !s.Name.StartsWith("GET", StringComparison.Ordinal)))
                    output.WriteLine($"{span.TraceId} {span.SpanId} {span.ParentSpanId ?? "-",-16} {span.Name}  {string.Join(", ", span.Attributes.Where(a => a.Key.StartsWith("shop.")).Select(a => $"{a.Key}={a.Value}"))}");
        }
    }

    static bool InRequestTrace(IReadOnlyList<DashboardSpan> spans, Guid id, string messageType)
    {
        var orderId = id.ToString("D");
        var request = spans.FirstOrDefault(s => s.Name.StartsWith("POST /orders", StringComparison.Ordinal)
            && s.Attributes.GetValueOrDefault("shop.order.id") == orderId);
        return request is not null && spans.Any(s => s.TraceId == request.TraceId && s.Name.Contains("order-state", StringComparison.Ordinal)
            && s.Attributes.GetValueOrDefault("shop.order.id") == orderId && s.Attributes.GetValueOrDefault("shop.message.type") == messageType);
    }

    async Task<WebApplication> StartOrders(string database, string readModel, AspireDashboard dashboard, bool deliver)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Testing" });
        builder.WebHost.UseTestServer();
        builder.Configuration.AddInMemoryCollection(environment.WithTransport(new Dictionary<string, string?>
        {
            ["ConnectionStrings:Orders"] = database,
            ["ConnectionStrings:ReadModel"] = readModel,
            ["Messaging:DurableStore:DeliveryEnabled"] = deliver ? "true" : "false",
            ["Messaging:DurableStore:DeliverAfterCommit"] = deliver ? "true" : "false",
            ["Messaging:DurableStore:PollInterval"] = "00:00:00.500",
            ["Messaging:DurableStore:BacklogInterval"] = "00:00:00.250",
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = dashboard.OtlpGrpc.ToString(),
            ["OTEL_SERVICE_NAME"] = "Shop.Orders.Api",
            ["OTEL_BSP_SCHEDULE_DELAY"] = "500",
            ["Orders:Saga:PaymentTimeout"] = "00:00:03",
        }.Concat(TestTokens.Settings).ToDictionary()));
        builder.Logging.ClearProviders().AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Warning);
        builder.AddServiceDefaults();
        builder.AddOrdersApi();

        var app = builder.Build();
        app.MapDefaultEndpoints();
        app.MapOrdersApi();
        await app.MigrateDatabaseAsync<OrdersDbContext>();
        await app.StartAsync();
        return app;
    }

    static async Task<Guid> PlaceOrder(HttpClient api)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/orders")
        {
            Content = JsonContent.Create(new { items = new[] { new { sku = "MUG-001", quantity = 1 } }, payment = new { cardToken = "tok_visa" } }),
        };
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", TestTokens.Customer(Guid.NewGuid()));
        var response = await api.SendAsync(request);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<Accepted>())!.Id;
    }

    sealed record Accepted(Guid Id, string Status);

    /// <summary>
    /// The backlog and saga gauges and the consumer-duration histogram of the <c>Shop.Messaging</c> meter, collected on
    /// demand as an exporter would.
    /// </summary>
    sealed class OutboxGauges : IDisposable
    {
        readonly MeterListener _listener = new();
        readonly Lock _gate = new();
        readonly System.Collections.Concurrent.ConcurrentDictionary<string, long> _sagaStates = new();
        readonly System.Collections.Concurrent.ConcurrentDictionary<string, int> _processed = new();
        long _pending;
        double _oldestAge;

        public OutboxGauges()
        {
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == ShopMessagingDiagnostics.MeterName
                    && instrument.Name is "shop.outbox.pending" or "shop.outbox.pending.oldest_age" or "shop.saga.instances" or "messaging.process.duration")
                    listener.EnableMeasurementEvents(instrument);
            };
            _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
            {
                if (instrument.Name == "shop.outbox.pending")
                    _pending = value;
                else if (instrument.Name == "shop.saga.instances" && Tag(tags, "shop.saga.state") is { } state)
                    _sagaStates[state] = value;
            });
            _listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) =>
            {
                if (instrument.Name == "shop.outbox.pending.oldest_age")
                    _oldestAge = value;
                else if (instrument.Name == "messaging.process.duration" && Tag(tags, "shop.message.type") is { } type)
                    _processed.AddOrUpdate(type, 1, (_, count) => count + 1);
            });
            _listener.Start();
        }

        static string? Tag(ReadOnlySpan<KeyValuePair<string, object?>> tags, string key)
        {
            foreach (var tag in tags)
                if (tag.Key == key)
                    return tag.Value?.ToString();
            return null;
        }

        public (long Pending, double OldestAge) Read()
        {
            lock (_gate)
            {
                _listener.RecordObservableInstruments();
                return (_pending, _oldestAge);
            }
        }

        public long SagaInstances(string state)
        {
            lock (_gate)
                _listener.RecordObservableInstruments();
            return _sagaStates.GetValueOrDefault(state);
        }

        public int Processed(string messageType) => _processed.GetValueOrDefault(messageType);

        public void Dispose() => _listener.Dispose();
    }
}
