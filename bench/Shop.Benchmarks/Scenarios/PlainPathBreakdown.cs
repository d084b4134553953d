using System.Diagnostics;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Shop.Messaging;

namespace Shop.Benchmarks.Scenarios;

/// <summary>
/// Scenario 2x (diagnostic, issue 23's plain goal): where scenario 2's cost over the raw client comes from. A bare
/// MassTransit bus (the same transport settings as ours: broker, prefetch, publisher confirms; nothing of ours) gets our
/// pieces back one at a time, each step a variant of its own, and ends with scenario 2's own host
/// (<c>AddShopMessaging</c>). All variants run in this one process, in rounds that alternate their order (forward, then
/// backward), so each step's cost is read as a difference within a round, not across runs on a shared machine.
/// </summary>
public static class PlainPathBreakdown
{
    /// <summary>Our pieces in the order <c>AddShopMessaging</c> puts them on an endpoint; each variant has the first N.</summary>
    enum Piece
    {
        DeliveryLimit = 1,
        PlainJson,
        ScheduledRedelivery,
        ImmediateRetry,
        ConsumeObserver,
    }

    sealed record Variant(string Name, Func<string, BenchSettings, IHost> Build, bool SendToQueue = false);

    public static async Task<IReadOnlyList<BenchResult>> Run(string rabbitUrl, BenchSettings settings, int rounds)
    {
        Variant[] variants =
        [
            new("2x bare MassTransit, Send to queue", (url, s) => Bare(url, s, 0), SendToQueue: true),
            new("2x bare MassTransit", (url, s) => Bare(url, s, 0)),
            new("2x + delivery-limit filter", (url, s) => Bare(url, s, Piece.DeliveryLimit)),
            new("2x + plain-JSON reader and filter", (url, s) => Bare(url, s, Piece.PlainJson)),
            new("2x + scheduled redelivery", (url, s) => Bare(url, s, Piece.ScheduledRedelivery)),
            new("2x + immediate retry", (url, s) => Bare(url, s, Piece.ImmediateRetry)),
            new("2x + consume observer", (url, s) => Bare(url, s, Piece.ConsumeObserver)),
            new("2x AddShopMessaging (scenario 2)", (url, s) => MassTransitScenario.BuildHost(url, null, s, x => x.AddConsumer<PlainConsumer>())),
            // Not a piece but a setting: 32 consumers at once on two cores (MassTransit's default, the prefetch count).
            new("2x AddShopMessaging, 4 at once", (url, s) => MassTransitScenario.BuildHost(url, null, s, x => x.AddConsumer<PlainConsumer>(),
                new Dictionary<string, string?> { ["Messaging:ConcurrentMessageLimit"] = "4" })),
        ];

        // One warm-up for the process (JIT, tiered compilation of MassTransit's pipeline), on scenario 2's host.
        using (var host = variants.Single(v => v.Name.EndsWith("(scenario 2)", StringComparison.Ordinal)).Build(rabbitUrl, settings))
        {
            await host.StartAsync();
            await settings.WarmUp(count => Load(host, count, settings, false, null));
            await host.StopAsync();
        }

        var runs = variants.ToDictionary(v => v.Name, _ => new List<(double Rate, CpuUse Cpu, double Ratio)>());
        for (var round = 0; round < rounds; round++)
        {
            var order = round % 2 == 0 ? variants : variants.Reverse().ToArray();
            var figures = new Dictionary<string, (double Rate, CpuUse Cpu)>();
            foreach (var variant in order)
            {
                using var host = variant.Build(rabbitUrl, settings);
                await host.StartAsync();
                try
                {
                    // Each host's own first messages (its pipes, its channel) stay out of the figure.
                    await Load(host, settings.Warmup, settings, variant.SendToQueue, null);
                    var load = File.ReadAllText("/proc/loadavg").Split(' ')[0];
                    var cpu = new CpuWindow();
                    var watch = Stopwatch.StartNew();
                    using (var progress = new Progress($"round {round + 1} {variant.Name[3..]}", settings.Messages))
                        await Load(host, settings.Messages, settings, variant.SendToQueue, progress);
                    watch.Stop();
                    figures[variant.Name] = (settings.Messages / watch.Elapsed.TotalSeconds, cpu.Per(settings.Messages));
                    Console.Error.WriteLine($"  {figures[variant.Name].Rate,8:N0} msg/s, {figures[variant.Name].Cpu.ProcessMs * 1000,6:N1} µs process, " +
                                            $"{figures[variant.Name].Cpu.MachineMs * 1000,6:N1} µs machine, load {load}");
                }
                finally
                {
                    await host.StopAsync();
                }
            }

            var bare = figures[variants[1].Name].Rate;
            foreach (var (name, (rate, cpu)) in figures)
                runs[name].Add((rate, cpu, rate / bare));
        }

        Console.WriteLine();
        Console.WriteLine("Plain-path breakdown, per round (msg/s | process µs per message | ratio to bare MassTransit in that round):");
        var results = new List<BenchResult>();
        foreach (var variant in variants)
        {
            var list = runs[variant.Name];
            Console.WriteLine($"  {variant.Name,-40} " + string.Join("   ", list.Select(r => $"{r.Rate,7:N0} | {r.Cpu.ProcessMs * 1000,5:N1} | {r.Ratio:0.00}")));
            var median = list.OrderBy(r => r.Ratio).ElementAt(list.Count / 2);
            results.AddRange(new BenchResult(variant.Name, "throughput", Median(list.Select(r => r.Rate)), "msg/s", variants[1].Name, median.Ratio)
            {
                Cpu = new CpuUse(Median(list.Select(r => r.Cpu.ProcessMs)), Median(list.Select(r => r.Cpu.MachineMs))),
            }.WithCpuRows());
        }

        return results;
    }

    static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted[sorted.Length / 2];
    }

    /// <summary>
    /// MassTransit as its documentation sets it up, with our broker connection and prefetch, plus the first
    /// <paramref name="pieces"/> of ours, each configured as <c>AddShopMessaging</c> configures it.
    /// </summary>
    static IHost Bare(string rabbitUrl, BenchSettings settings, Piece pieces)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Logging.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Warning);
        builder.Services.AddSingleton<Counter>();
        builder.Services.AddMetrics();
        builder.Services.AddSingleton<MessagingMetrics>();
        builder.Services.AddSingleton<ConsumeTelemetryObserver>();
        var options = new MessagingOptions { RabbitMq = { Url = rabbitUrl }, PrefetchCount = settings.Concurrency };

        builder.Services.AddMassTransit(x =>
        {
            x.SetKebabCaseEndpointNameFormatter();
            x.AddConsumer<PlainConsumer>();
            x.AddConfigureEndpointsCallback((_, name, endpoint) =>
            {
                if (pieces >= Piece.DeliveryLimit)
                    endpoint.UseFilter(new DeliveryLimitFilter(options.RabbitMq.DeliveryLimit, options.AmazonSqs.MaxReceiveCount));
                if (pieces >= Piece.PlainJson)
                    endpoint.RequirePlainJsonType(name);
                if (pieces >= Piece.ScheduledRedelivery)
                {
                    endpoint.UseScheduledRedelivery(r =>
                    {
                        r.Handle<Exception>(TransientFailures.IsTransient);
                        r.Intervals(TimeSpan.FromSeconds(30), TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(30));
                    });
                }

                if (pieces >= Piece.ImmediateRetry)
                {
                    var retry = options.Retry;
                    endpoint.UseMessageRetry(r =>
                    {
                        r.Handle<Exception>(TransientFailures.IsTransient);
                        r.Exponential(retry.ImmediateLimit, retry.ImmediateMinInterval, retry.ImmediateMaxInterval, retry.ImmediateIntervalDelta);
                    });
                }
            });
            x.UsingRabbitMq((context, cfg) =>
            {
                cfg.Host(RabbitMqHostSettingsFactory.Create(options.RabbitMq));
                cfg.PrefetchCount = options.PrefetchCount;
                if (pieces >= Piece.PlainJson)
                    cfg.AcceptPlainJson();
                if (pieces >= Piece.ScheduledRedelivery)
                    cfg.UseDelayedMessageScheduler();
                if (pieces >= Piece.ConsumeObserver)
                    cfg.ConnectConsumeObserver(context.GetRequiredService<ConsumeTelemetryObserver>());
                cfg.ConfigureEndpoints(context);
            });
        });
        builder.Services.Configure<MassTransitHostOptions>(host => host.WaitUntilStarted = true);
        return builder.Build();
    }

    static async Task Load(IHost host, int messages, BenchSettings settings, bool sendToQueue, Progress? progress)
    {
        var counter = host.Services.GetRequiredService<Counter>();
        counter.Restart(messages);
        counter.Progress = progress;
        var bus = host.Services.GetRequiredService<IBus>();
        var queue = await bus.GetSendEndpoint(new Uri("queue:plain"));
        await ConcurrentSends.Run(messages, settings.Concurrency * 2, () => sendToQueue
            ? queue.Send(new Payload(NewId.NextGuid(), settings.Payload))
            : bus.Publish(new Payload(NewId.NextGuid(), settings.Payload)));
        await counter.Done.Task.WaitAsync(TimeSpan.FromMinutes(10));
    }
}
