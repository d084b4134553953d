using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Npgsql;
using Shop.Benchmarks;
using Wolverine;
using Wolverine.Runtime;

namespace Shop.Benchmarks.Wolverine;

/// <summary>The timing of scenarios 2 and 3 (MassTransitScenario.Run and Load in the parent), on Wolverine.</summary>
public static class PeerRun
{
    // A variant's name says so, so its figures are never mistaken for the default set-up's.
    public static Task<PeerResult> Plain(PeerSettings settings) =>
        Run(settings, "9 Wolverine, no persistence" + (settings.Listener == "buffered" ? " (buffered listener)" : ""));

    public static async Task<PeerResult> Durable(PeerSettings settings)
    {
        await using var dataSource = NpgsqlDataSource.Create(settings.ConnectionString!);
        await using (var create = dataSource.CreateCommand("CREATE TABLE IF NOT EXISTS business_rows (id uuid PRIMARY KEY, data text NOT NULL)"))
            await create.ExecuteNonQueryAsync();
        var prepared = new NpgsqlConnectionStringBuilder(settings.ConnectionString).MaxAutoPrepare > 0;
        return await Run(settings, "10 Wolverine, durable inbox/outbox" + (prepared ? "" : " (no prepared statements)"), dataSource);
    }

    static async Task<PeerResult> Run(PeerSettings settings, string name, NpgsqlDataSource? store = null)
    {
        using var host = PeerHost.Build(settings);
        await host.StartAsync();
        try
        {
            await settings.WarmUp(count => Load(host, count, settings, store, progress: null));

            var commits = store is null ? null : await DatabaseCommits.Start(settings.ConnectionString!, settings.WaitForStatistics);
            var cpu = new CpuWindow();
            var watch = Stopwatch.StartNew();
            using (var progress = new Progress(name, settings.Messages))
                await Load(host, settings.Messages, settings, store, progress);
            watch.Stop();
            var use = cpu.Per(settings.Messages);
            return new PeerResult(name, settings.Messages / watch.Elapsed.TotalSeconds, use.ProcessMs, use.MachineMs,
                commits is null ? null : await commits.Per(settings.Messages), use.PostgresMs, use.RabbitMqMs, use.AllocatedBytes,
                use.GcPauseMs);
        }
        finally
        {
            await host.StopAsync();
        }
    }

    static async Task Load(IHost host, int messages, PeerSettings settings, NpgsqlDataSource? store, Progress? progress)
    {
        if (messages == 0)
            return;

        var counter = host.Services.GetRequiredService<Counter>();
        counter.Restart(messages);
        counter.Progress = progress;
        var runtime = host.Services.GetRequiredService<IWolverineRuntime>();
        var watch = Stopwatch.StartNew();

        // A bus per send: MessageBus is Wolverine's per-operation context, not meant to be shared by concurrent sends.
        await ConcurrentSends.Run(messages, settings.Concurrency * 2,
            () => new MessageBus(runtime).SendAsync(new Payload(Guid.CreateVersion7(), settings.Payload)).AsTask());
        await counter.Done.Task.WaitAsync(TimeSpan.FromMinutes(10));
        if (progress is not null)
            Console.Error.WriteLine($"  all consumed after {watch.Elapsed.TotalSeconds:F1} s");

        if (store is not null)
        {
            await WaitForEmptyOutbox(store);
            if (progress is not null)
                Console.Error.WriteLine($"  outbox drained after {watch.Elapsed.TotalSeconds:F1} s");
        }
    }

    /// <summary>As scenario 3: a run ends when the outgoing messages have left the outbox table too.</summary>
    static async Task WaitForEmptyOutbox(NpgsqlDataSource store)
    {
        var deadline = DateTime.UtcNow.AddMinutes(5);
        await using var query = store.CreateCommand($"SELECT EXISTS (SELECT 1 FROM {PeerHost.Schema}.wolverine_outgoing_envelopes)");
        while (DateTime.UtcNow < deadline)
        {
            if (!(bool)(await query.ExecuteScalarAsync())!)
                return;
            await Task.Delay(20);
        }

        throw new TimeoutException("Wolverine's outbox did not drain within five minutes.");
    }
}
