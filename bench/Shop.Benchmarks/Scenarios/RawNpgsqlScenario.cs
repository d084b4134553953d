using System.Diagnostics;
using Npgsql;
using Shop.ServiceDefaults;

namespace Shop.Benchmarks.Scenarios;

/// <summary>
/// Scenario 3's database baseline: the same three writes per message (inbox row, business row, outbox row) in one
/// transaction, by hand with Npgsql, at the same concurrency — the most the database allows for that work.
/// </summary>
public static class RawNpgsqlScenario
{
    public static async Task<BenchResult> Run(string connectionString, BenchSettings settings)
    {
        // Prepared statements, as the services' connections have them (AddServiceDatabase).
        var builder = new NpgsqlConnectionStringBuilder(ServiceDatabaseExtensions.WithPreparedStatements(connectionString))
        {
            MaxPoolSize = settings.Concurrency + 4
        };
        await using var dataSource = NpgsqlDataSource.Create(builder.ConnectionString);
        await using (var setup = dataSource.CreateCommand("""
            CREATE TABLE IF NOT EXISTS raw_inbox (message_id uuid, consumer_id uuid, received timestamptz, consumed timestamptz, PRIMARY KEY (message_id, consumer_id));
            CREATE TABLE IF NOT EXISTS raw_business (id uuid PRIMARY KEY, data text);
            CREATE TABLE IF NOT EXISTS raw_outbox (id bigserial PRIMARY KEY, message_id uuid, body text);
            """))
            await setup.ExecuteNonQueryAsync();

        var consumerId = Guid.NewGuid();
        await settings.WarmUp(count => Loop(dataSource, consumerId, count, settings, progress: null));
        using var progress = new Progress("hand-written Npgsql loop", settings.Messages);
        var cpu = new CpuWindow();
        var watch = Stopwatch.StartNew();
        await Loop(dataSource, consumerId, settings.Messages, settings, progress);
        watch.Stop();

        return new BenchResult("3b hand-written Npgsql, 3 writes/tx", "throughput", settings.Messages / watch.Elapsed.TotalSeconds, "tx/s")
            { Cpu = cpu.Per(settings.Messages) };
    }

    static async Task Loop(NpgsqlDataSource dataSource, Guid consumerId, int messages, BenchSettings settings, Progress? progress)
    {
        var next = -1;
        await Task.WhenAll(Enumerable.Range(0, settings.Concurrency).Select(async _ =>
        {
            await using var connection = await dataSource.OpenConnectionAsync();
            while (true)
            {
                var index = Interlocked.Increment(ref next);
                if (index >= messages)
                    return;

                var id = Guid.NewGuid();
                await using var transaction = await connection.BeginTransactionAsync();
                await using var batch = new NpgsqlBatch(connection, transaction)
                {
                    BatchCommands =
                    {
                        new NpgsqlBatchCommand("INSERT INTO raw_inbox VALUES ($1, $2, now(), now())") { Parameters = { new() { Value = id }, new() { Value = consumerId } } },
                        new NpgsqlBatchCommand("INSERT INTO raw_business VALUES ($1, $2)") { Parameters = { new() { Value = id }, new() { Value = settings.Payload } } },
                        new NpgsqlBatchCommand("INSERT INTO raw_outbox (message_id, body) VALUES ($1, $2)") { Parameters = { new() { Value = id }, new() { Value = settings.Payload } } },
                    }
                };
                await batch.ExecuteNonQueryAsync();
                await transaction.CommitAsync();
                progress?.Report(index + 1);
            }
        }));
    }
}
