using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;

namespace Shop.Benchmarks.Scenarios;

/// <summary>
/// Scenario 4: time from a request's commit (publish through the bus outbox, then SaveChanges) to the message arriving at
/// a plain RabbitMQ.Client consumer bound to the message's exchange — at idle (one request at a time) and while a
/// steady background load of requests runs.
/// </summary>
public static class BusOutboxLagScenario
{
    const string Exchange = "Shop.Benchmarks:LagProbe";

    public static async Task<IReadOnlyList<BenchResult>> Run(Uri amqp, string rabbitUrl, string connectionString, BenchSettings settings,
        int backgroundRate)
    {
        using var host = MassTransitScenario.BuildHost(rabbitUrl, connectionString, settings, _ => { });
        await using (var scope = host.Services.CreateAsyncScope())
            await scope.ServiceProvider.GetRequiredService<BenchDbContext>().Database.EnsureCreatedAsync();
        await host.StartAsync();

        var factory = new ConnectionFactory { Uri = amqp };
        await using var connection = await factory.CreateConnectionAsync();
        await using var channel = await connection.CreateChannelAsync();
        await channel.ExchangeDeclareAsync(Exchange, ExchangeType.Fanout, durable: true);
        var queue = (await channel.QueueDeclareAsync("bench-lag-probe", durable: false, exclusive: true, autoDelete: true)).QueueName;
        await channel.QueueBindAsync(queue, Exchange, "");

        // Arrival can beat the requester's own bookkeeping of its commit, so both sides are recorded and matched later.
        var committed = new ConcurrentDictionary<Guid, long>();
        var arrived = new ConcurrentDictionary<Guid, long>();
        var consumer = new AsyncEventingBasicConsumer(channel);
        consumer.ReceivedAsync += (_, delivery) =>
        {
            var at = Stopwatch.GetTimestamp();
            using var json = JsonDocument.Parse(delivery.Body);
            arrived.TryAdd(json.RootElement.GetProperty("message").GetProperty("id").GetGuid(), at);
            return Task.CompletedTask;
        };
        await channel.BasicConsumeAsync(queue, autoAck: true, consumer);

        try
        {
            // Warm-up: the first requests pay for JIT compilation and connection set-up, which is not outbox lag.
            for (var i = 0; i < Math.Min(50, settings.LagSamples); i++)
                await Request(host, NewId.NextGuid(), null);

            var results = new List<BenchResult>();
            results.AddRange(await Measure(host, "idle", settings.LagSamples, committed, arrived));

            // "Half load" is half of what this machine sustains: requests as fast as 32 callers can make them, until every
            // message has arrived. A --background-rate above zero fixes the rate instead.
            var rate = backgroundRate;
            if (rate <= 0)
            {
                var max = await MaxRate(host, settings.Quick ? 100 : 3000, arrived);
                results.Add(new BenchResult("4 bus outbox, closed loop", "sustained requests/s", max, "req/s"));
                rate = (int)(max / 2);
            }

            using var stop = new CancellationTokenSource();
            var load = BackgroundLoad(host, rate, stop.Token);
            results.AddRange(await Measure(host, $"{rate} req/s load{(backgroundRate <= 0 ? ", half" : "")}", settings.LagSamples,
                committed, arrived));
            await stop.CancelAsync();
            await load;
            return results;
        }
        finally
        {
            await host.StopAsync();
        }
    }

    static async Task<double> MaxRate(IHost host, int requests, ConcurrentDictionary<Guid, long> arrived)
    {
        var ids = new ConcurrentQueue<Guid>();
        var watch = Stopwatch.StartNew();
        using (var progress = new Progress("bus outbox, closed loop", requests))
        {
            await ConcurrentSends.Run(requests, 32, async () =>
            {
                var id = NewId.NextGuid();
                ids.Enqueue(id);
                await Request(host, id, null);
                progress.Report(ids.Count);
            });
        }

        var deadline = DateTime.UtcNow.AddMinutes(2);
        while (ids.Any(id => !arrived.ContainsKey(id)))
        {
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException("Closed-loop probe messages never arrived.");
            await Task.Delay(5);
        }

        return requests / watch.Elapsed.TotalSeconds;
    }

    static async Task<IReadOnlyList<BenchResult>> Measure(IHost host, string label, int samples, ConcurrentDictionary<Guid, long> committed,
        ConcurrentDictionary<Guid, long> arrived)
    {
        var ids = new List<Guid>(samples);
        using (var progress = new Progress($"bus outbox lag, {label}", samples))
        {
            for (var i = 0; i < samples; i++)
            {
                var id = NewId.NextGuid();
                ids.Add(id);
                await Request(host, id, committed);
                progress.Report(i + 1);
                await Task.Delay(5);
            }
        }

        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (ids.Any(id => !arrived.ContainsKey(id)) && DateTime.UtcNow < deadline)
            await Task.Delay(20);

        var values = ids.Where(arrived.ContainsKey)
            .Select(id => Stopwatch.GetElapsedTime(committed[id], arrived[id]).TotalMilliseconds)
            .Order().ToArray();
        if (values.Length < ids.Count)
            throw new TimeoutException($"{ids.Count - values.Length} of {ids.Count} probe messages never arrived.");

        return
        [
            new BenchResult($"4 bus outbox lag ({label})", "p50", Percentile(values, 0.50), "ms"),
            new BenchResult($"4 bus outbox lag ({label})", "p99", Percentile(values, 0.99), "ms",
                Target: label.EndsWith("half", StringComparison.Ordinal) ? "< 50 ms" : null)
        ];
    }

    static async Task Request(IHost host, Guid id, ConcurrentDictionary<Guid, long>? committed)
    {
        await using var scope = host.Services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<IPublishEndpoint>().Publish(new LagProbe(id, 0));
        // Taken as SaveChanges (the commit) starts: the figure includes the commit itself, an upper bound of the lag.
        committed?.TryAdd(id, Stopwatch.GetTimestamp());
        await scope.ServiceProvider.GetRequiredService<BenchDbContext>().SaveChangesAsync();
    }

    /// <summary>Open-loop background requests at a fixed rate, whatever the response time.</summary>
    static async Task BackgroundLoad(IHost host, int ratePerSecond, CancellationToken cancellationToken)
    {
        var inFlight = new List<Task>();
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(10));
        var perTick = ratePerSecond / 100.0;
        var owed = 0.0;
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken))
            {
                owed += perTick;
                for (; owed >= 1; owed--)
                    inFlight.Add(Request(host, NewId.NextGuid(), null));
                inFlight.RemoveAll(t => t.IsCompleted);
            }
        }
        catch (OperationCanceledException)
        {
        }

        await Task.WhenAll(inFlight);
    }

    static double Percentile(double[] sorted, double p) => sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)];
}
