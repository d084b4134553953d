using System.Diagnostics;
using Microsoft.Extensions.Logging.Abstractions;
using Shop.Contracts.Orders;
using Shop.ReadModel.Documents;
using Shop.ReadModel.Projections;
using Shop.ReadModel.Relational;
using Shop.ReadModel.Storage;
using Shop.Testing;

namespace Shop.Benchmarks.Scenarios;

/// <summary>
/// Scenario 8, queries: a PostgreSQL read model of 100 000 orders (1 000 customers, 50 products), filled through the
/// batched projection, then the two searches the issue names, one after another: a customer's orders of one status,
/// and full text on a word of a product name. Latency of the store's query (what the API's handler awaits; HTTP is not
/// included), after 50 untimed queries of each kind.
/// </summary>
public static class ReadModelQueryScenario
{
    public static async Task<IReadOnlyList<BenchResult>> Run(IntegrationEnvironment environment, BenchSettings settings)
    {
        var orders = settings.Quick ? 2_000 : 100_000;
        var queries = settings.Quick ? 50 : 1_000;
        const int customers = 1_000, products = 50;
        var customerIds = Enumerable.Range(0, customers).Select(_ => Guid.NewGuid()).ToArray();

        var store = new RelationalReadModelStore(new RelationalReadModelDatabase(postgres: true, await environment.CreateDatabase("queries")));
        await store.InitializeAsync(CancellationToken.None);
        var projector = new ReadModelProjector(TimeProvider.System, NullLogger<ReadModelProjector>.Instance);
        using (var progress = new Progress("read model of 100 000 orders", orders))
        {
            var start = DateTime.UtcNow.AddDays(-30);
            for (var first = 0; first < orders; first += 200)
            {
                var batch = new List<ProjectedEvent>();
                for (var i = first; i < Math.Min(first + 200, orders); i++)
                {
                    var orderId = Guid.NewGuid();
                    var customerId = customerIds[i % customers];
                    var at = start.AddSeconds(i * 20);
                    var product = i % products;
                    var lines = new List<OrderLine> { new($"SKU-{product:D3}", 1, 10m, $"{Adjectives[product % Adjectives.Length]} {Nouns[product / Adjectives.Length]}") };
                    batch.Add(new ProjectedEvent(Guid.NewGuid(), at, new OrderSubmitted(orderId, customerId, $"c{i % customers}@example.com", lines, 10m,
                        "EUR", at)));
                    // Not a multiple of anything the customers repeat on: every customer has orders of both ends.
                    batch.Add(new ProjectedEvent(Guid.NewGuid(), at.AddSeconds(1), i % 7 == 3
                        ? new OrderCancelled(orderId, customerId, $"c{i % customers}@example.com", "payment failed: card declined", at.AddSeconds(1))
                        : new OrderConfirmed(orderId, customerId, $"c{i % customers}@example.com", 10m, "EUR", at.AddSeconds(1))));
                }

                await projector.ProjectAsync(store, batch, CancellationToken.None);
                progress.Report(Math.Min(first + 200, orders));
            }
        }

        var random = new Random(8);
        var byCustomer = await Latencies(() => store.QueryOrdersAsync(
            new OrderSummaryQuery(CustomerId: customerIds[random.Next(customers)], Status: OrderSummaryStatus.Confirmed), CancellationToken.None));
        var fullText = await Latencies(() => store.QueryOrdersAsync(
            new OrderSummaryQuery(Text: Nouns[random.Next(Nouns.Length)]), CancellationToken.None));

        return
        [
            new BenchResult($"8d read-model query, customer + status, {orders:N0} orders", "p50", byCustomer.P50, "ms"),
            new BenchResult($"8d read-model query, customer + status, {orders:N0} orders", "p99", byCustomer.P99, "ms", Target: "< 50"),
            new BenchResult($"8e read-model query, full text on a product name, {orders:N0} orders", "p50", fullText.P50, "ms"),
            new BenchResult($"8e read-model query, full text on a product name, {orders:N0} orders", "p99", fullText.P99, "ms", Target: "< 50"),
        ];

        async Task<(double P50, double P99)> Latencies(Func<Task<OrderSummaryPage>> query)
        {
            for (var i = 0; i < 50; i++)
                await query();
            var samples = new double[queries];
            for (var i = 0; i < queries; i++)
            {
                var watch = Stopwatch.StartNew();
                var page = await query();
                samples[i] = watch.Elapsed.TotalMilliseconds;
                if (page.Items.Count == 0)
                    throw new InvalidOperationException("A benchmark query found nothing: the figures would not measure a real search.");
            }

            Array.Sort(samples);
            return (samples[(int)(queries * 0.50)], samples[Math.Min(queries - 1, (int)(queries * 0.99))]);
        }
    }

    static readonly string[] Adjectives = ["ceramic", "cotton", "steel", "leather", "wooden", "glass", "linen", "copper", "woollen", "paper"];
    static readonly string[] Nouns = ["mug", "tee", "lamp", "bag", "bottle"];
}
