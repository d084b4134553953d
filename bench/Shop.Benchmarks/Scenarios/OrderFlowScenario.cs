using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Shop.Cluster;
using Shop.Testing;

namespace Shop.Benchmarks.Scenarios;

/// <summary>
/// Scenario 5: the whole order flow — POST /orders to OrderConfirmed — with Orders.Api, Payments.Worker and
/// Notifications.Worker as three hosts in this process (HTTP over loopback to Kestrel, real RabbitMQ and PostgreSQL). First the
/// sustained rate (a burst, as fast as the flow completes it), then open-loop load at fixed arrival rates of 25, 50, 75
/// and 100 % of it, timing each order from its POST to its OrderConfirmed event on the broker.
/// </summary>
public static class OrderFlowScenario
{
    static readonly string[] Exchanges = ["Shop.Contracts.Orders:OrderConfirmed", "Shop.Contracts.Orders:OrderCancelled"];

    public static async Task<IReadOnlyList<BenchResult>> Run(IntegrationEnvironment environment, BenchSettings settings)
    {
        using var breakdown = new CostBreakdown();
        // Kestrel on loopback, as the API runs in production (the in-memory test server also logged a warning per
        // request: it cannot apply the endpoint's request body limit); the services' own log levels, counted.
        await using var cluster = await ShopCluster.Start(environment, hosting: new ClusterHosting(Kestrel: true, Configure: builder =>
        {
            builder.Configuration.AddInMemoryCollection(ProductionLogLevels);
            // The test hosts keep Shop's own categories at warnings; production writes their Information lines.
            builder.Logging.AddFilter("Shop", LogLevel.Information);
            builder.Logging.AddProvider(breakdown.Logs);
        }));
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

        // Warm-up, then the burst that sets the sustained rate. Rounds of orders repeat until --warmup-seconds have
        // passed, as in the throughput scenarios: a count alone (500 orders, 8 s) left tiered compilation running into
        // the timed burst, which then measured 24 ms of this process's time per order against 15 ms after 45 s.
        var warmupOrders = settings.Quick ? 10 : Math.Max(50, settings.Warmup / 10);
        var warmup = Stopwatch.StartNew();
        do
        {
            await Burst(cluster, finished, warmupOrders, 8);
        } while (warmup.Elapsed < settings.WarmupTime);

        var before = await Counters(cluster, environment, settle: !settings.Quick);
        var machineBefore = MachineCheck.Run();
        var burst = settings.Orders;
        var cpu = new CpuWindow();
        var burstTime = await Burst(cluster, finished, burst, 16);
        var cpuPerOrder = cpu.Per(burst);
        var machineAfter = MachineCheck.Run();
        var after = await Counters(cluster, environment, settle: !settings.Quick);
        var sustained = burst / burstTime.TotalSeconds;

        var results = new List<BenchResult>
        {
            new("5 order flow", "sustained orders/s", sustained, "orders/s", Target: ">= 150"),
            new("5 order flow", "CPU per order, this process", cpuPerOrder.ProcessMs, "ms"),
            new("5 order flow", "CPU per order, whole machine", cpuPerOrder.MachineMs, "ms"),
            new("5 order flow", "CPU per order, PostgreSQL server", cpuPerOrder.PostgresMs, "ms"),
            new("5 order flow", "CPU per order, RabbitMQ server", cpuPerOrder.RabbitMqMs, "ms"),
            new("5 order flow", "allocated per order, this process", cpuPerOrder.AllocatedBytes / 1024, "KiB"),
            new("5 order flow", "GC pause per order, this process", cpuPerOrder.GcPauseMs, "ms"),
            new("5 order flow", "messages per order", (after.Messages - before.Messages) / (double)burst, "msg"),
            new("5 order flow", "DB transactions per order", (after.Transactions - before.Transactions) / (double)burst, "tx"),
            // The rate is bound by processor time; these say how fast the machine was on either side of the burst.
            new("5 order flow", "machine check before the burst (fixed work, every core)", machineBefore, "ms"),
            new("5 order flow", "machine check after the burst (fixed work, every core)", machineAfter, "ms"),
        };

        results.AddRange(await Breakdown(cluster, finished, breakdown, settings));

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

    /// <summary>
    /// The log levels of the services' appsettings.json (what production writes); the console of the benchmark stays at
    /// warnings, so the lines are counted here but not printed.
    /// </summary>
    static readonly Dictionary<string, string?> ProductionLogLevels = new()
    {
        ["Logging:LogLevel:Default"] = "Information",
        ["Logging:LogLevel:Microsoft.AspNetCore"] = "Warning",
        ["Logging:LogLevel:Microsoft.EntityFrameworkCore"] = "Warning",
        ["Logging:LogLevel:MassTransit"] = "Warning",
        // Payments.Worker's: Polly's line per successful gateway call (its failed attempts and retries are warnings).
        ["Logging:LogLevel:Polly"] = "Warning",
        ["Logging:Console:LogLevel:Default"] = "Warning",
    };

    /// <summary>
    /// A burst of its own with the span listeners on: what one order costs at each place it passes (see
    /// <see cref="CostBreakdown"/>), and per database the transactions and outbox rows PostgreSQL itself counted.
    /// </summary>
    static async Task<IReadOnlyList<BenchResult>> Breakdown(ShopCluster cluster, ConcurrentDictionary<Guid, long> finished, CostBreakdown breakdown,
        BenchSettings settings)
    {
        var orders = settings.Quick ? 20 : 300;
        var databases = new[] { ("orders", cluster.OrdersDatabase), ("payments", cluster.PaymentsDatabase), ("notifications", cluster.NotificationsDatabase) };
        var settle = settings.Quick ? TimeSpan.Zero : TimeSpan.FromSeconds(11);
        await Task.Delay(settle);
        var before = await DatabaseCounts(databases);
        breakdown.Start();
        var cpu = new CpuWindow();
        await Burst(cluster, finished, orders, 16);
        var cpuPerOrder = cpu.Per(orders);
        // The batched deletes of sent units and PostgreSQL's statistics (reported by idle backends within 10 s) catch up.
        await Task.Delay(settle);
        var places = breakdown.Stop();
        var after = await DatabaseCounts(databases);

        var results = new List<BenchResult>();
        const string scenario = "5b cost per order";
        results.Add(new BenchResult(scenario, "CPU per order (spans on), this process", cpuPerOrder.ProcessMs, "ms"));
        results.Add(new BenchResult(scenario, "CPU per order (spans on), whole machine", cpuPerOrder.MachineMs, "ms"));
        var rows = new List<string[]>();
        foreach (var (name, place) in places.OrderBy(p => p.Key == CostBreakdown.Request ? 0 : p.Key == CostBreakdown.Background ? 2 : 1).ThenBy(p => p.Key))
        {
            var label = $"{scenario}: {name}";
            double PerOrder(long value) => value / (double)orders;
            double PerUnit(long value) => place.Units == 0 ? double.NaN : value / (double)place.Units;
            var perOrder = PerOrder(place.Units);
            var handlerMs = PerUnit(place.HandlerTicks) / TimeSpan.TicksPerMillisecond;
            results.Add(new BenchResult(label, "handled per order", perOrder, "msg"));
            if (place.Units > 0)
                results.Add(new BenchResult(label, "handler wall time per message", handlerMs, "ms"));
            results.Add(new BenchResult(label, "DB round trips per order", PerOrder(place.RoundTrips), "rt"));
            results.Add(new BenchResult(label, "EF transactions per order", PerOrder(place.Commits), "tx"));
            results.Add(new BenchResult(label, "outbox units written through EF Core per order", PerOrder(place.OutboxUnitsWritten), "unit"));
            results.Add(new BenchResult(label, "outbox messages written per order", PerOrder(place.OutboxMessages), "msg"));
            results.Add(new BenchResult(label, "messages sent to the broker per order", PerOrder(place.Sent), "msg"));
            results.Add(new BenchResult(label, "log lines per order", PerOrder(place.LogLines), "line"));
            rows.Add([name, $"{perOrder:0.00}", place.Units == 0 ? "" : $"{handlerMs:0.0}", $"{PerOrder(place.RoundTrips):0.00}",
                $"{PerOrder(place.Commits):0.00}", $"{PerOrder(place.OutboxUnitsWritten):0.00}", $"{PerOrder(place.OutboxMessages):0.00}",
                $"{PerOrder(place.Sent):0.00}", $"{PerOrder(place.LogLines):0.00}"]);
        }

        long[] totals = [places.Values.Sum(p => p.RoundTrips), places.Values.Sum(p => p.Commits), places.Values.Sum(p => p.OutboxUnitsWritten),
            places.Values.Sum(p => p.OutboxMessages), places.Values.Sum(p => p.Sent), places.Values.Sum(p => p.LogLines)];
        rows.Add(["all", $"{places.Values.Sum(p => p.Units) / (double)orders:0.00}", "", .. totals.Select(t => $"{t / (double)orders:0.00}")]);

        var dbRows = new List<string[]>();
        foreach (var (name, _) in databases)
        {
            var (commits, inserted, deleted) = (after[name].Commits - before[name].Commits, after[name].OutboxInserted - before[name].OutboxInserted,
                after[name].OutboxDeleted - before[name].OutboxDeleted);
            results.Add(new BenchResult($"{scenario}: database {name}", "transactions per order", commits / (double)orders, "tx"));
            results.Add(new BenchResult($"{scenario}: database {name}", "outbox rows inserted per order", inserted / (double)orders, "row"));
            results.Add(new BenchResult($"{scenario}: database {name}", "outbox rows deleted per order", deleted / (double)orders, "row"));
            dbRows.Add([name, $"{commits / (double)orders:0.00}", $"{inserted / (double)orders:0.00}", $"{deleted / (double)orders:0.00}"]);
        }

        Console.WriteLine();
        Console.WriteLine($"Cost per order ({orders} orders, 16 in flight; CPU per order with spans on: this process {cpuPerOrder.ProcessMs:0.0} ms, " +
                          $"whole machine {cpuPerOrder.MachineMs:0.0} ms)");
        PrintTable(["where", "msgs/order", "wall ms/msg", "round trips", "EF tx", "EF outbox units", "outbox msgs", "broker sends", "log lines"], rows);
        Console.WriteLine("Statements per order at each place (Npgsql commands; a batch is one line):");
        foreach (var (name, place) in places)
        {
            foreach (var (statement, count) in place.Statements.OrderByDescending(s => s.Value).Take(12))
                Console.WriteLine($"  {name,-30} {count / (double)orders,6:0.00}  {statement}");
        }

        Console.WriteLine("Log lines per order at each place (level and category):");
        foreach (var (name, place) in places)
        {
            foreach (var (category, count) in place.LogCategories.OrderByDescending(c => c.Value))
                Console.WriteLine($"  {name,-30} {count / (double)orders,6:0.00}  {category}");
        }

        Console.WriteLine();
        Console.WriteLine("Per database (PostgreSQL's own counters: pg_stat_database, pg_stat_user_tables), per order:");
        PrintTable(["database", "transactions", "outbox inserted", "outbox deleted"], dbRows);
        return results;
    }

    static void PrintTable(string[] header, List<string[]> rows)
    {
        var widths = header.Select((h, i) => Math.Max(h.Length, rows.Count == 0 ? 0 : rows.Max(r => r[i].Length))).ToArray();
        string Line(string[] cells) => string.Join("  ", cells.Select((c, i) => i == 0 ? c.PadRight(widths[i]) : c.PadLeft(widths[i])));
        Console.WriteLine(Line(header));
        Console.WriteLine(new string('-', widths.Sum() + 2 * (widths.Length - 1)));
        rows.ForEach(r => Console.WriteLine(Line(r)));
        Console.WriteLine();
    }

    static async Task<Dictionary<string, (long Commits, long OutboxInserted, long OutboxDeleted)>> DatabaseCounts(
        IEnumerable<(string Name, string ConnectionString)> databases)
    {
        var counts = new Dictionary<string, (long, long, long)>();
        foreach (var (name, connectionString) in databases)
        {
            counts[name] = (await ShopCluster.Query(connectionString,
                "SELECT (SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()), " +
                "COALESCE((SELECT n_tup_ins FROM pg_stat_user_tables WHERE relname = 'outbox_message'), 0), " +
                "COALESCE((SELECT n_tup_del FROM pg_stat_user_tables WHERE relname = 'outbox_message'), 0)",
                r => (r.GetInt64(0), r.GetInt64(1), r.GetInt64(2)))).Single();
        }

        return counts;
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
