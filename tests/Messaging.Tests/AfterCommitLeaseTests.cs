using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Shop.Messaging.Tests.Components;
using Shop.Messaging.Tests.Infrastructure;
using Shop.Testing;
using Xunit;

namespace Shop.Messaging.Tests;

/// <summary>
/// The lease a writer holds on the units it sends right after its commit must run from that commit, by the database's
/// clock: a delivery instance on another machine judges it, and a consumer may commit long after it published.
/// A trigger records every due time written to the outbox, with the database's time of the write.
/// </summary>
public sealed class When_a_writer_leases_its_units(TestEnvironment environment) : IClassFixture<TestEnvironment>, IAsyncLifetime
{
    static readonly TimeSpan Lease = TimeSpan.FromSeconds(5);

    public async Task InitializeAsync()
    {
        await using var connection = new NpgsqlConnection(environment.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("""
            CREATE TABLE IF NOT EXISTS outbox_due_times (outbox_id uuid, created timestamp, due_time timestamp, written timestamp);
            CREATE OR REPLACE FUNCTION record_outbox_due_time() RETURNS trigger AS $$
            BEGIN
              INSERT INTO outbox_due_times VALUES (NEW.outbox_id, NEW.created, NEW.due_time, clock_timestamp() AT TIME ZONE 'UTC');
              RETURN NEW;
            END $$ LANGUAGE plpgsql;
            DROP TRIGGER IF EXISTS record_outbox_due_time ON outbox_message;
            CREATE TRIGGER record_outbox_due_time AFTER INSERT OR UPDATE OF due_time ON outbox_message
              FOR EACH ROW EXECUTE FUNCTION record_outbox_due_time();
            """, connection);
        await command.ExecuteNonQueryAsync();
    }

    public Task DisposeAsync() => Task.CompletedTask;

    static Dictionary<string, string?> Settings() => new()
    {
        ["Messaging:DurableStore:DeliverAfterCommit"] = "true",
        ["Messaging:DurableStore:AfterCommitLease"] = Lease.ToString(),
    };

    [Fact]
    public async Task Should_stamp_the_lease_by_the_database_clock_when_the_writers_clock_is_behind()
    {
        await using var host = await ShopTestHost.Start(environment, Settings(),
            configureServices: services => services.AddSingleton<TimeProvider>(new SkewedTimeProvider(TimeSpan.FromMinutes(-2))));

        await host.InScope(async services =>
        {
            await services.GetRequiredService<IPublishEndpoint>().Publish(new Ping("skewed-writer"));
            await services.GetRequiredService<TestDbContext>().SaveChangesAsync();
        });
        await host.Observed.WaitFor<Ping>(p => p.Key == "skewed-writer");

        var written = Assert.Single(await DueTimes());
        AssertClose(Lease, written.DueTime - written.Written, "the lease as the database's clock counts it");
    }

    [Fact]
    public async Task Should_start_a_long_consumers_lease_at_its_commit()
    {
        var work = TimeSpan.FromSeconds(3);
        await using var host = await ShopTestHost.Start(environment, Settings(), x =>
        {
            ShopTestHost.AddTestComponents(x);
            x.AddConsumer<PublishThenWorkConsumer>();
        });

        await host.Bus.Publish(new PublishThenWork("long-consumer", work));
        await host.Observed.WaitFor<Echoed>(e => e.Key == "long-consumer", timeout: TimeSpan.FromSeconds(30));

        var dueTimes = await DueTimes();
        var last = dueTimes.MaxBy(d => d.Written)!;
        // Recorded when the consumer published; renewed when it committed, after its work.
        Assert.True(last.DueTime - last.Created >= Lease + work - TimeSpan.FromSeconds(1),
            $"the lease ended {last.DueTime - last.Created} after the unit was recorded, less than the lease plus the consumer's work");
        AssertClose(Lease, last.DueTime - last.Written, "the renewed lease");
    }

    static void AssertClose(TimeSpan expected, TimeSpan actual, string what) =>
        Assert.True((actual - expected).Duration() < TimeSpan.FromSeconds(1), $"{what}: expected about {expected}, was {actual}");

    async Task<List<(DateTime Created, DateTime DueTime, DateTime Written)>> DueTimes()
    {
        await using var connection = new NpgsqlConnection(environment.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT created, due_time, written FROM outbox_due_times", connection);
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<(DateTime, DateTime, DateTime)>();
        while (await reader.ReadAsync())
            rows.Add((reader.GetDateTime(0), reader.GetDateTime(1), reader.GetDateTime(2)));
        await using var clear = new NpgsqlConnection(environment.ConnectionString);
        await clear.OpenAsync();
        await new NpgsqlCommand("DELETE FROM outbox_due_times", clear).ExecuteNonQueryAsync();
        return rows;
    }

    sealed class SkewedTimeProvider(TimeSpan skew) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => System.GetUtcNow() + skew;
    }
}
