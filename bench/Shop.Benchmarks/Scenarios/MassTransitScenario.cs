using System.Diagnostics;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Shop.Messaging;
using Shop.Messaging.EntityFrameworkCore;
using Shop.Messaging.EntityFrameworkCore.Storage;

namespace Shop.Benchmarks.Scenarios;

public sealed class Counter
{
    int _count;
    public int Count => Volatile.Read(ref _count);
    public TaskCompletionSource Done { get; private set; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    public int Target { get; private set; }
    public Progress? Progress { get; set; }

    public void Restart(int target)
    {
        Done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Target = target;
        Volatile.Write(ref _count, 0);
    }

    public void Increment()
    {
        var count = Interlocked.Increment(ref _count);
        Progress?.Report(count);
        if (count == Target)
            Done.TrySetResult();
    }
}

public sealed class PlainConsumer(Counter counter) : IConsumer<Payload>
{
    public Task Consume(ConsumeContext<Payload> context)
    {
        counter.Increment();
        return Task.CompletedTask;
    }
}

/// <summary>
/// Per message: the inbox row (by the store), one business row and one outgoing message, in one transaction. Its
/// effects are all in that transaction, so its claim goes with the commit (<see cref="ClaimAtCommitAttribute"/>).
/// </summary>
[ClaimAtCommit]
public sealed class DurableConsumer(BenchDbContext db, Counter counter) : IConsumer<Payload>
{
    public async Task Consume(ConsumeContext<Payload> context)
    {
        db.Add(new BusinessRow { Id = context.Message.Id, Data = context.Message.Data });
        await context.Publish(new Processed(context.Message.Id));
        counter.Increment();
    }
}

/// <summary>Scenarios 2 and 3: the same load through our bus set-up, without and with the durable store.</summary>
public static class MassTransitScenario
{
    /// <param name="rabbitUrl">Null when <paramref name="extra"/> selects another transport.</param>
    public static IHost BuildHost(string? rabbitUrl, string? connectionString, BenchSettings settings, Action<IBusRegistrationConfigurator> configure,
        IDictionary<string, string?>? extra = null)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        var configuration = new Dictionary<string, string?>
        {
            ["Messaging:PrefetchCount"] = settings.Concurrency.ToString(),
        };
        if (rabbitUrl is not null)
        {
            configuration["Messaging:Transport"] = "RabbitMq";
            configuration["Messaging:RabbitMq:Url"] = rabbitUrl;
        }

        foreach (var (key, value) in extra ?? new Dictionary<string, string?>())
            configuration[key] = value;
        // Lets a profiling run change any setting without a rebuild: SHOP_BENCH_Messaging__DurableStore__DeliveryEnabled=false.
        foreach (var (key, value) in Environment.GetEnvironmentVariables().Cast<System.Collections.DictionaryEntry>()
                     .Where(e => ((string)e.Key).StartsWith("SHOP_BENCH_", StringComparison.Ordinal)))
            configuration[((string)key)["SHOP_BENCH_".Length..].Replace("__", ":")] = (string?)value;
        builder.Configuration.AddInMemoryCollection(configuration);
        builder.Logging.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Warning);
        builder.Services.AddSingleton<Counter>();

        if (connectionString is null)
        {
            builder.Services.AddShopMessaging(builder.Configuration, configure);
        }
        else
        {
            builder.Services.AddBenchDatabase(connectionString);
            builder.Services.AddShopMessaging<BenchDbContext>(builder.Configuration, configure);
        }

        return builder.Build();
    }

    public static async Task<BenchResult> RunPlain(string rabbitUrl, BenchSettings settings)
    {
        using var host = BuildHost(rabbitUrl, null, settings, x => x.AddConsumer<PlainConsumer>());
        return await Run(host, "2 MassTransit, no outbox", settings, null);
    }

    public static async Task<BenchResult> RunDurable(string rabbitUrl, string connectionString, BenchSettings settings)
    {
        using var host = BuildHost(rabbitUrl, connectionString, settings, x => x.AddConsumer<DurableConsumer>());
        await using (var scope = host.Services.CreateAsyncScope())
            await scope.ServiceProvider.GetRequiredService<BenchDbContext>().Database.EnsureCreatedAsync();
        return await Run(host, "3 MassTransit + inbox/outbox", settings, connectionString);
    }

    static async Task<BenchResult> Run(IHost host, string name, BenchSettings settings, string? connectionString)
    {
        await host.StartAsync();
        try
        {
            // Untimed warm-up: the first messages pay for JIT compilation and connection set-up, which is not throughput.
            await settings.WarmUp(count => Load(host, count, settings, connectionString, progress: null));

            var commits = connectionString is null ? null : await DatabaseCommits.Start(connectionString, wait: !settings.Quick);
            var cpu = new CpuWindow();
            var watch = Stopwatch.StartNew();
            using (var progress = new Progress(name, settings.Messages))
                await Load(host, settings.Messages, settings, connectionString, progress);

            watch.Stop();
            var result = new BenchResult(name, "throughput", settings.Messages / watch.Elapsed.TotalSeconds, "msg/s") { Cpu = cpu.Per(settings.Messages) };
            return commits is null ? result : result with { CommitsPerUnit = await commits.Per(settings.Messages) };
        }
        finally
        {
            await host.StopAsync();
        }
    }

    /// <summary>Publishes <paramref name="messages"/> with a bounded window and waits until all are consumed (and, with the store, sent on).</summary>
    static async Task Load(IHost host, int messages, BenchSettings settings, string? connectionString, Progress? progress)
    {
        if (messages == 0)
            return;

        var counter = host.Services.GetRequiredService<Counter>();
        counter.Restart(messages);
        counter.Progress = progress;
        var bus = host.Services.GetRequiredService<IBus>();
        var watch = Stopwatch.StartNew();

        await ConcurrentSends.Run(messages, settings.Concurrency * 2,
            () => bus.Publish(new Payload(NewId.NextGuid(), settings.Payload)));
        await counter.Done.Task.WaitAsync(TimeSpan.FromMinutes(10));
        if (progress is not null)
            Console.Error.WriteLine($"  all consumed after {watch.Elapsed.TotalSeconds:F1} s");

        // With the store, a run ends when the outgoing messages have left too.
        if (connectionString is not null)
        {
            await WaitForEmptyOutbox(host);
            if (progress is not null)
                Console.Error.WriteLine($"  outbox drained after {watch.Elapsed.TotalSeconds:F1} s");
        }
    }

    static async Task WaitForEmptyOutbox(IHost host)
    {
        var deadline = DateTime.UtcNow.AddMinutes(5);
        while (DateTime.UtcNow < deadline)
        {
            await using var scope = host.Services.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<BenchDbContext>();
            if (!await db.Set<OutboxMessage>().AnyAsync())
                return;
            await Task.Delay(20);
        }

        throw new TimeoutException("The outbox did not drain within five minutes.");
    }
}
