using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;

using Microsoft.Extensions.DependencyInjection;
using Shop.Messaging.EntityFrameworkCore.Storage;

namespace Shop.Benchmarks.Scenarios;

/// <summary>
/// Diagnostic 3c: the store's per-message database work (claim the inbox row; business row + inbox update in one
/// SaveChanges; commit — three round trips) through EF Core, without MassTransit around it. Separates the cost of the
/// database protocol from the cost of the messaging pipeline.
/// </summary>
public static class EfInboxScenario
{
    public static async Task<BenchResult> Run(string connectionString, BenchSettings settings)
    {
        var services = new ServiceCollection();
        services.AddBenchDatabase(connectionString);
        await using var provider = services.BuildServiceProvider();
        await using (var scope = provider.CreateAsyncScope())
            await scope.ServiceProvider.GetRequiredService<BenchDbContext>().Database.EnsureCreatedAsync();

        var consumerId = Guid.NewGuid();
        await settings.WarmUp(count => Loop(provider, consumerId, count, settings));
        var cpu = new CpuWindow();
        var watch = Stopwatch.StartNew();
        await Loop(provider, consumerId, settings.Messages, settings);
        watch.Stop();
        return new BenchResult("3c EF Core inbox path, no MassTransit", "throughput", settings.Messages / watch.Elapsed.TotalSeconds, "tx/s")
            { Cpu = cpu.Per(settings.Messages) };
    }

    static async Task Loop(ServiceProvider provider, Guid consumerId, int messages, BenchSettings settings)
    {
        var next = -1;
        await Task.WhenAll(Enumerable.Range(0, settings.Concurrency).Select(async _ =>
        {
            while (Interlocked.Increment(ref next) < messages)
            {
                await using var scope = provider.CreateAsyncScope();
                var db = scope.ServiceProvider.GetRequiredService<BenchDbContext>();
                db.Database.AutoSavepointsEnabled = false;
                var id = Guid.NewGuid();
                await using var transaction = await db.Database.BeginTransactionAsync();
                await using (var claim = db.Database.GetDbConnection().CreateCommand())
                {
                    claim.Transaction = transaction.GetDbTransaction();
                    claim.CommandText = "INSERT INTO inbox_state (message_id, consumer_id, received, receive_count) VALUES (@m, @c, now(), 1) " +
                                        "ON CONFLICT (message_id, consumer_id) DO UPDATE SET receive_count = inbox_state.receive_count + 1 RETURNING consumed";
                    var m = claim.CreateParameter(); m.ParameterName = "m"; m.Value = id; claim.Parameters.Add(m);
                    var c = claim.CreateParameter(); c.ParameterName = "c"; c.Value = consumerId; claim.Parameters.Add(c);
                    await claim.ExecuteScalarAsync();
                }

                db.Add(new BusinessRow { Id = id, Data = settings.Payload });
                var inbox = new InboxState { MessageId = id, ConsumerId = consumerId };
                db.Attach(inbox);
                inbox.Consumed = DateTime.UtcNow;
                await db.SaveChangesAsync();
                await transaction.CommitAsync();
            }
        }));
    }
}
