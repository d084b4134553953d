using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;
using Shop.Cluster;
using Shop.Testing;

namespace Shop.Benchmarks.Scenarios;

/// <summary>
/// Scenario 5: the whole order flow — POST /orders to OrderConfirmed — with Orders.Api, Payments.Worker and
/// Notifications.Worker as three hosts in this process (in-process HTTP, real RabbitMQ and PostgreSQL). First the
/// sustained rate (a burst, as fast as the flow completes it), then open-loop load at fixed arrival rates of 25, 50, 75
/// and 100 % of it, timing each order from its POST to its OrderConfirmed event on the broker.
/// </summary>
public static class OrderFlowScenario
{
    static readonly string[] Exchanges = ["Shop.Contracts.Orders:OrderConfirmed", "Shop.Contracts.Orders:OrderCancelled"];

    public static async Task<IReadOnlyList<BenchResult>> Run(IntegrationEnvironment environment, BenchSettings settings)
    {
        await using var cluster = await ShopCluster.Start(environment);
        foreach (var database in new[] { cluster.OrdersDatabase })
            await ShopCluster.Query(database, "UPDATE stock SET on_hand = 10000000", _ => 0);

        var finished = new ConcurrentDictionary<Guid, long>();
        var connection = await new ConnectionFactory { Uri = new Uri(environment.RabbitMqUrl) }.CreateConnectionAsync();
        await using var _ = connection;
        await using var channel = await connection.CreateChannelAsync();
        var queue = (await channel.QueueDeclareAsync("", durable: false, exclusive: true, autoDelete: true)).QueueName;
        foreach (var exchange in Exchanges)
        {
            await channel.ExchangeDeclareAsync(exchange, ExchangeType.Fanout, durable: true);
            await channel.QueueBindAsync(queue, exchange, "");
        }

        var consumer = new AsyncEventingBasicConsumer(channel);
        consumer.ReceivedAsync += (_, delivery) =>
        {
            var at = Stopwatch.GetTimestamp();
            using var json = JsonDocument.Parse(delivery.Body);
            finished.TryAdd(json.RootElement.GetProperty("message").GetProperty("orderId").GetGuid(), at);
            return Task.CompletedTask;
        };
        await channel.BasicConsumeAsync(queue, autoAck: true, consumer);

        // Warm-up, then the burst that sets the sustained rate.
        // The warm-up is long enough for tiered compilation to finish with the hot paths: with 50 orders, the JIT's
        // thread still had a fifth of the machine during the burst.
        await Burst(cluster, finished, settings.Quick ? 10 : Math.Max(50, settings.Warmup / 10), 8);
        var before = await Counters(cluster, environment, settle: !settings.Quick);
        var burst = settings.Quick ? 40 : 600;
        var cpu = new CpuWindow();
        var burstTime = await Burst(cluster, finished, burst, 16);
        var cpuPerOrder = cpu.Per(burst);
        var after = await Counters(cluster, environment, settle: !settings.Quick);
        var sustained = burst / burstTime.TotalSeconds;

        var results = new List<BenchResult>
        {
            new("5 order flow", "sustained orders/s", sustained, "orders/s", Target: ">= 300"),
            new("5 order flow", "CPU per order, this process", cpuPerOrder.ProcessMs, "ms"),
            new("5 order flow", "CPU per order, whole machine", cpuPerOrder.MachineMs, "ms"),
            new("5 order flow", "messages per order", (after.Messages - before.Messages) / (double)burst, "msg"),
            new("5 order flow", "DB transactions per order", (after.Transactions - before.Transactions) / (double)burst, "tx"),
        };

        foreach (var share in new[] { 0.25, 0.50, 0.75, 1.00 })
        {
            var rate = sustained * share;
            var latencies = await OpenLoop(cluster, finished, rate, TimeSpan.FromSeconds(settings.Quick ? 2 : 10));
            var label = $"5 order flow at {share:P0} ({rate:N0}/s)";
            results.Add(new BenchResult(label, "p50", Percentile(latencies, 0.50), "ms"));
            results.Add(new BenchResult(label, "p95", Percentile(latencies, 0.95), "ms"));
            results.Add(new BenchResult(label, "p99", Percentile(latencies, 0.99), "ms", Target: share == 0.50 ? "< 250 ms" : null));
        }

        return results;
    }

    static async Task<TimeSpan> Burst(ShopCluster cluster, ConcurrentDictionary<Guid, long> finished, int orders, int concurrency)
    {
        var ids = new ConcurrentBag<Guid>();
        var watch = Stopwatch.StartNew();
        using (var progress = new Progress("order flow burst", orders))
        {
            var placed = 0;
            await Parallel.ForEachAsync(Enumerable.Range(0, orders), new ParallelOptions { MaxDegreeOfParallelism = concurrency }, async (_, _) =>
            {
                ids.Add(await cluster.PlaceOrder("tok_visa", ("STICK-001", 1)));
                progress.Report(Interlocked.Increment(ref placed));
            });
        }

        await WaitFor(ids, finished, TimeSpan.FromMinutes(5));
        return watch.Elapsed;
    }

    static async Task<double[]> OpenLoop(ShopCluster cluster, ConcurrentDictionary<Guid, long> finished, double rate, TimeSpan duration)
    {
        var started = new ConcurrentDictionary<Guid, long>();
        var inFlight = new List<Task>();
        var interval = TimeSpan.FromSeconds(1 / Math.Max(rate, 0.1));
        var clock = Stopwatch.StartNew();
        var sent = 0;
        using (var progress = new Progress($"open loop at {rate:N0}/s", (int)(duration.TotalSeconds * rate)))
        {
            while (clock.Elapsed < duration)
            {
                var due = interval * sent;
                if (due > clock.Elapsed)
                    await Task.Delay(due - clock.Elapsed);
                sent++;
                inFlight.Add(Place());
                progress.Report(sent);
            }
        }

        await Task.WhenAll(inFlight);
        await WaitFor(started.Keys, finished, TimeSpan.FromMinutes(5));
        return started.Select(s => Stopwatch.GetElapsedTime(s.Value, finished[s.Key]).TotalMilliseconds).Order().ToArray();

        async Task Place()
        {
            var at = Stopwatch.GetTimestamp();
            var id = await cluster.PlaceOrder("tok_visa", ("STICK-001", 1));
            started[id] = at;
        }
    }

    static async Task WaitFor(IEnumerable<Guid> ids, ConcurrentDictionary<Guid, long> finished, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        var pending = ids.ToList();
        while (pending.Any(id => !finished.ContainsKey(id)))
        {
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"{pending.Count(id => !finished.ContainsKey(id))} orders did not finish.");
            await Task.Delay(20);
        }
    }

    /// <summary>Messages published on the virtual host and commits in the three databases, for per-order figures.</summary>
    static async Task<(long Messages, long Transactions)> Counters(ShopCluster cluster, IntegrationEnvironment environment, bool settle)
    {
        // The broker refreshes its counters every five seconds; let the last messages of a burst be counted.
        if (settle)
            await Task.Delay(TimeSpan.FromSeconds(6));

        long transactions = 0;
        foreach (var database in new[] { cluster.OrdersDatabase, cluster.PaymentsDatabase, cluster.NotificationsDatabase })
            transactions += (await ShopCluster.Query(database,
                "SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()", r => r.GetInt64(0))).Single();
        var messages = await environment.Management.PublishedMessages(environment.VirtualHost);
        return (messages, transactions);
    }

    static double Percentile(double[] sorted, double p) =>
        sorted.Length == 0 ? double.NaN : sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)];
}
