using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;
using Shop.Cluster;
using Shop.ReadModel.Documents;
using Shop.ReadModel.Storage;
using Shop.Testing;

namespace Shop.Benchmarks.Scenarios;

/// <summary>
/// Scenario 8f: read-model lag under the order flow. Orders.Api, Payments, Notifications and Search.Worker as hosts in this
/// process (real RabbitMQ and PostgreSQL, the read model in PostgreSQL with the worker's default batches). First the flow's
/// sustained rate (a burst, to each order's end: OrderConfirmed or OrderCancelled), then open-loop orders at half that
/// rate; each order's lag is from its final event being published (the envelope's sent time) to the read model's search
/// returning it with that final status, found by polling the search every 10 ms (so the figures include up to one poll
/// interval more than the true lag). On a loaded machine the saga cancels some orders (payment timeout); they count too.
/// </summary>
public static class ReadModelLagScenario
{
    const string Label = "8f read-model lag";
    static readonly (string Exchange, string Status)[] FinalEvents =
    [
        ("Shop.Contracts.Orders:OrderConfirmed", OrderSummaryStatus.Confirmed),
        ("Shop.Contracts.Orders:OrderCancelled", OrderSummaryStatus.Cancelled),
    ];

    public static async Task<IReadOnlyList<BenchResult>> Run(IntegrationEnvironment environment, BenchSettings settings)
    {
        await using var cluster = await ShopCluster.Start(environment, withSearch: true);
        await ShopCluster.Query(cluster.OrdersDatabase, "UPDATE stock SET on_hand = 10000000", _ => 0);
        var reader = cluster.Search!.Services.GetRequiredService<IReadModelReader>();

        // When each order's final event was published, as the bus stamped it.
        var confirmed = new ConcurrentDictionary<Guid, DateTime>();
        var connection = await new ConnectionFactory { Uri = new Uri(environment.RabbitMqUrl) }.CreateConnectionAsync();
        await using var _ = connection;
        await using var channel = await connection.CreateChannelAsync();
        var queue = (await channel.QueueDeclareAsync("", durable: false, exclusive: true, autoDelete: true)).QueueName;
        foreach (var (exchange, _) in FinalEvents)
        {
            await channel.ExchangeDeclareAsync(exchange, ExchangeType.Fanout, durable: true);
            await channel.QueueBindAsync(queue, exchange, "");
        }

        var consumer = new AsyncEventingBasicConsumer(channel);
        consumer.ReceivedAsync += (_, delivery) =>
        {
            using var json = JsonDocument.Parse(delivery.Body);
            confirmed.TryAdd(json.RootElement.GetProperty("message").GetProperty("orderId").GetGuid(),
                json.RootElement.GetProperty("sentTime").GetDateTime().ToUniversalTime());
            return Task.CompletedTask;
        };
        await channel.BasicConsumeAsync(queue, autoAck: true, consumer);

        await Burst(cluster, confirmed, settings.Quick ? 10 : 50, 8);
        var burst = settings.Quick ? 40 : 200;
        var sustained = burst / (await Burst(cluster, confirmed, burst, 16)).TotalSeconds;
        await cluster.WaitUntilQuiet(TimeSpan.FromMinutes(5));

        var rate = sustained / 2;
        var windowStart = DateTime.UtcNow;
        var placed = new ConcurrentBag<Guid>();
        var visible = new ConcurrentDictionary<Guid, DateTime>();
        using var polling = new CancellationTokenSource();
        var poller = Poll(reader, windowStart, visible, polling.Token);

        var duration = TimeSpan.FromSeconds(settings.Quick ? 3 : 30);
        var interval = TimeSpan.FromSeconds(1 / Math.Max(rate, 0.1));
        var clock = Stopwatch.StartNew();
        var inFlight = new List<Task>();
        for (var sent = 0; clock.Elapsed < duration; sent++)
        {
            var due = interval * sent;
            if (due > clock.Elapsed)
                await Task.Delay(due - clock.Elapsed);
            inFlight.Add(Task.Run(async () => placed.Add(await cluster.PlaceOrder("tok_visa", ("STICK-001", 1)))));
        }

        await Task.WhenAll(inFlight);
        var deadline = DateTime.UtcNow.AddMinutes(5);
        while (placed.Any(id => !visible.ContainsKey(id) || !confirmed.ContainsKey(id)))
        {
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"{placed.Count(id => !visible.ContainsKey(id))} orders never became searchable as finished.");
            await Task.Delay(50);
        }

        await polling.CancelAsync();
        await poller;

        var lags = placed.Select(id => (visible[id] - confirmed[id]).TotalMilliseconds).Order().ToArray();
        var label = $"{Label} at 50 % of {sustained:N1} orders/s ({lags.Length} orders)";
        return
        [
            new BenchResult(Label, "sustained orders/s with the read side", sustained, "orders/s"),
            new BenchResult(label, "p50", Percentile(lags, 0.50), "ms"),
            new BenchResult(label, "p95", Percentile(lags, 0.95), "ms"),
            new BenchResult(label, "p99", Percentile(lags, 0.99), "ms", Target: "< 1000 ms"),
            new BenchResult(label, "max", lags[^1], "ms"),
        ];
    }

    /// <summary>Searches orders placed since <paramref name="since"/> until cancelled, noting when each first shows as finished.</summary>
    static async Task Poll(IReadModelReader reader, DateTime since, ConcurrentDictionary<Guid, DateTime> visible, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            string? after = null;
            do
            {
                var page = await reader.QueryOrdersAsync(new OrderSummaryQuery(From: since, After: after, Limit: 500), CancellationToken.None);
                var now = DateTime.UtcNow;
                foreach (var order in page.Items.Where(o => FinalEvents.Any(e => e.Status == o.Status)))
                    visible.TryAdd(order.OrderId, now);
                after = page.NextAfter;
            } while (after is not null);

            try
            {
                await Task.Delay(10, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    static async Task<TimeSpan> Burst(ShopCluster cluster, ConcurrentDictionary<Guid, DateTime> confirmed, int orders, int concurrency)
    {
        var ids = new ConcurrentBag<Guid>();
        var watch = Stopwatch.StartNew();
        using (var progress = new Progress("order flow burst (with the read side)", orders))
        {
            var placed = 0;
            await Parallel.ForEachAsync(Enumerable.Range(0, orders), new ParallelOptions { MaxDegreeOfParallelism = concurrency }, async (_, _) =>
            {
                ids.Add(await cluster.PlaceOrder("tok_visa", ("STICK-001", 1)));
                progress.Report(Interlocked.Increment(ref placed));
            });
        }

        var deadline = DateTime.UtcNow.AddMinutes(10);
        while (ids.Any(id => !confirmed.ContainsKey(id)))
        {
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"{ids.Count(id => !confirmed.ContainsKey(id))} orders did not finish.");
            await Task.Delay(20);
        }

        return watch.Elapsed;
    }

    static double Percentile(double[] sorted, double p) =>
        sorted.Length == 0 ? double.NaN : sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)];
}
