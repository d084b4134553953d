using System.Diagnostics;
using Microsoft.Extensions.Logging.Abstractions;
using Shop.BlobStorage.Disk;
using Shop.Contracts.Orders;
using Shop.Contracts.Payments;
using Shop.Contracts.Stock;
using Shop.ReadModel.Archive;
using Shop.ReadModel.Projections;
using Shop.ReadModel.Relational;
using Shop.Testing;

namespace Shop.Benchmarks.Scenarios;

/// <summary>
/// Scenario 8, the read side's projection into PostgreSQL: the same order events (the flow's, interleaved across
/// orders as they arrive) applied one write per event, then in batches of Search.Worker's default size, each into a
/// fresh database; then the rebuild of the batched read model from its archive. The bus is left out: this is what the
/// projector and the store can do.
/// </summary>
public static class ReadModelProjectionScenario
{
    public const int BatchSize = 200;

    public static async Task<IReadOnlyList<BenchResult>> Run(IntegrationEnvironment environment, BenchSettings settings)
    {
        var orders = settings.Quick ? 200 : 4_000;
        var events = Events(orders);
        var projector = new ReadModelProjector(TimeProvider.System, NullLogger<ReadModelProjector>.Instance);
        var archiveRoot = Path.Combine(Path.GetTempPath(), "shop-bench-archive", Guid.NewGuid().ToString("N"));
        var archive = new EventArchive(new DiskBlobStorage(archiveRoot), TimeProvider.System, NullLogger<EventArchive>.Instance);
        try
        {
            var perEvent = await Measure("one write per event", 1, archive: null);
            var batched = await Measure($"batches of {BatchSize}", BatchSize, archive);

            var rebuildStore = await Store("rebuild");
            var watch = Stopwatch.StartNew();
            var rebuilt = await new ReadModelRebuilder(rebuildStore, archive, projector, TimeProvider.System, NullLogger<ReadModelRebuilder>.Instance)
                .RebuildAsync();
            watch.Stop();

            return
            [
                new BenchResult("8a read-model projection, one write per event", "throughput", perEvent, "events/s"),
                new BenchResult($"8b read-model projection, batches of {BatchSize} (+ archive)", "throughput", batched, "events/s",
                    "8a read-model projection, one write per event", batched / perEvent, ">= 5"),
                new BenchResult("8c read-model rebuild from the archive", "throughput", rebuilt.Events / watch.Elapsed.TotalSeconds, "events/s"),
            ];
        }
        finally
        {
            Directory.Delete(archiveRoot, recursive: true);
        }

        async Task<double> Measure(string name, int batchSize, EventArchive? archive)
        {
            var store = await Store(batchSize == 1 ? "perevent" : "batched");
            using var progress = new Progress($"read-model projection, {name}", events.Count);
            var watch = Stopwatch.StartNew();
            var done = 0;
            foreach (var batch in events.Chunk(batchSize))
            {
                if (archive is not null)
                    await archive.WriteAsync(batch, CancellationToken.None);
                await projector.ProjectAsync(store, batch, CancellationToken.None);
                progress.Report(done += batch.Length);
            }

            watch.Stop();
            return events.Count / watch.Elapsed.TotalSeconds;
        }

        async Task<RelationalReadModelStore> Store(string purpose)
        {
            var store = new RelationalReadModelStore(new RelationalReadModelDatabase(postgres: true, await environment.CreateDatabase(purpose)));
            await store.InitializeAsync(CancellationToken.None);
            return store;
        }
    }

    /// <summary>The events of <paramref name="orders"/> orders through the flow, four in five confirmed, in the order they would arrive.</summary>
    static List<ProjectedEvent> Events(int orders)
    {
        var start = DateTime.UtcNow.AddHours(-1);
        var all = new List<ProjectedEvent>();
        for (var i = 0; i < orders; i++)
        {
            var orderId = Guid.NewGuid();
            var customerId = Guid.NewGuid();
            var at = start.AddMilliseconds(i * 20);
            var lines = new List<OrderLine> { new("MUG-001", 2, 9.90m, "Ceramic mug"), new("TEE-001", 1, 19.90m, "Cotton tee") };
            Add(new OrderSubmitted(orderId, customerId, "buyer@example.com", lines, 39.70m, "EUR", at), 0);
            Add(new StockReserved(orderId), 50);
            if (i % 5 == 4)
            {
                Add(new PaymentFailed(orderId, "card declined"), 100);
                Add(new OrderCancelled(orderId, customerId, "buyer@example.com", "payment failed: card declined", at.AddMilliseconds(110)), 110);
                Add(new StockReleased(orderId), 150);
            }
            else
            {
                Add(new PaymentCompleted(orderId, $"pay_{i}", 39.70m, "EUR"), 100);
                Add(new OrderConfirmed(orderId, customerId, "buyer@example.com", 39.70m, "EUR", at.AddMilliseconds(110)), 110);
            }

            void Add(object message, int afterMs) => all.Add(new ProjectedEvent(Guid.NewGuid(), at.AddMilliseconds(afterMs), message));
        }

        return all.OrderBy(e => e.SentAt).ToList();
    }
}
