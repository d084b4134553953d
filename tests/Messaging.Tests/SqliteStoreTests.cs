using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Shop.Messaging.EntityFrameworkCore.Storage;
using Shop.Messaging.Tests.Components;
using Shop.Messaging.Tests.Infrastructure;
using Shop.Testing;
using Xunit;

namespace Shop.Messaging.Tests;

/// <summary>The same store on SQLite and the in-memory transport: the seam the standalone mode builds on.</summary>
public sealed class When_the_durable_store_runs_on_sqlite(TestEnvironment environment) : IClassFixture<TestEnvironment>, IDisposable
{
    readonly string _file = Path.Combine(Path.GetTempPath(), $"shop-store-{Guid.NewGuid():N}.db");

    string ConnectionString => $"Data Source={_file};Pooling=false";

    TestDbContext CreateDbContext() => new(new DbContextOptionsBuilder<TestDbContext>().UseSqlite(ConnectionString).Options);

    [Fact]
    public async Task Should_ignore_duplicates_keep_the_consumer_outbox_and_schedule()
    {
        await using (var db = CreateDbContext())
            await db.Database.EnsureCreatedAsync();
        await using var host = await ShopTestHost.Start(environment, new Dictionary<string, string?>
        {
            ["Messaging:Transport"] = "InMemory",
            ["Messaging:PrefetchCount"] = "4",
        }, useDatabase: o => o.UseSqlite(ConnectionString));

        var messageId = NewId.NextGuid();
        await host.Bus.Publish(new RecordEffect("sqlite-duplicate"), c => c.MessageId = messageId);
        await Eventually.Returns(() => Count(db => db.Effects.CountAsync(e => e.Key == "sqlite-duplicate")), n => n == 1, "the first effect");
        await host.Bus.Publish(new RecordEffect("sqlite-duplicate"), c => c.MessageId = messageId);
        await Eventually.Returns(() => Count(db => db.Set<InboxState>().Where(i => i.MessageId == messageId).SumAsync(i => i.ReceiveCount)),
            n => n == 2, "the inbox to see the duplicate");
        Assert.Equal(1, await Count(db => db.Effects.CountAsync(e => e.Key == "sqlite-duplicate")));

        await host.Bus.Publish(new PublishThenFail("sqlite-outbox", FailTimes: 1, Transient: true));
        await host.Observed.WaitFor<Echoed>(e => e.Key == "sqlite-outbox");

        var scheduledAt = DateTime.UtcNow;
        await host.InScope(async services =>
        {
            await services.GetRequiredService<IMessageScheduler>().ScheduleSend(new Uri("queue:ping-observer"), scheduledAt.AddSeconds(1),
                new Ping("sqlite-scheduled"));
            await services.GetRequiredService<TestDbContext>().SaveChangesAsync();
        });
        var ping = (await host.Observed.WaitForReceived<Ping>(p => p.Key == "sqlite-scheduled", timeout: TimeSpan.FromSeconds(20))).Single();
        Assert.True(ping.At - scheduledAt >= TimeSpan.FromSeconds(1));

        await host.WaitUntilQuiet();
        Assert.Single(host.Observed.All<Echoed>(e => e.Key == "sqlite-outbox"));

        // Units sent right after their commit are deleted in batches (SQLite has its own statement for it); well inside
        // the 30 s lease, so a re-send by the delivery service cannot be what empties the table.
        await Eventually.Returns(() => Count(db => db.Set<OutboxMessage>().CountAsync()), n => n == 0, "every sent unit to be deleted",
            TimeSpan.FromSeconds(10));
    }

    async Task<int> Count(Func<TestDbContext, Task<int>> query)
    {
        await using var db = CreateDbContext();
        return await query(db);
    }

    public void Dispose()
    {
        foreach (var path in new[] { _file, _file + "-wal", _file + "-shm" })
            File.Delete(path);
    }
}
