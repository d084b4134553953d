using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Shop.Messaging.EntityFrameworkCore.Storage;
using Shop.Messaging.Tests.Components;
using Shop.Messaging.Tests.Infrastructure;
using Shop.Testing;
using Xunit;

namespace Shop.Messaging.Tests;

/// <summary>
/// A save that fails writes no outbox row, so nothing of it may ever be sent: not by the request itself, not by the
/// next save on the same pooled context, not by a consumer that catches the failure and carries on. On PostgreSQL over
/// RabbitMQ and on SQLite over the in-memory transport (the standalone mode's pair).
/// </summary>
public abstract class When_a_save_fails(TestEnvironment environment) : IClassFixture<TestEnvironment>
{
    protected TestEnvironment Environment { get; } = environment;

    const long TakenId = 9_000_001;

    protected abstract Task<ShopTestHost> StartHost(Dictionary<string, string?>? settings = null);

    [Fact]
    public async Task Should_send_nothing_of_it_with_the_next_save_of_the_same_pooled_context()
    {
        await using var host = await StartHost();
        await TakeTheId(host);

        await host.InScope(async services =>
        {
            var db = services.GetRequiredService<TestDbContext>();
            await services.GetRequiredService<IPublishEndpoint>().Publish(new Ping("from-the-failed-save"));
            db.Effects.Add(new Effect { Id = TakenId, Key = "duplicate", Consumer = "request" });
            await Assert.ThrowsAsync<DbUpdateException>(() => db.SaveChangesAsync());
        });

        // The pool hands the same context to the next scope.
        await host.InScope(async services =>
        {
            await services.GetRequiredService<IPublishEndpoint>().Publish(new Ping("from-the-next-save"));
            await services.GetRequiredService<TestDbContext>().SaveChangesAsync();
        });

        await host.Observed.WaitFor<Ping>(p => p.Key == "from-the-next-save");
        await host.WaitUntilQuiet();
        Assert.Empty(host.Observed.All<Ping>(p => p.Key == "from-the-failed-save"));
        Assert.Single(host.Observed.All<Ping>(p => p.Key == "from-the-next-save"));
    }

    [Fact]
    public async Task Should_send_nothing_of_it_when_the_transaction_commits_what_else_it_did()
    {
        await using var host = await StartHost();
        await TakeTheId(host);

        await host.InScope(async services =>
        {
            var db = services.GetRequiredService<TestDbContext>();
            await using var transaction = await db.Database.BeginTransactionAsync();
            db.Effects.Add(new Effect { Key = "kept", Consumer = "request" });
            await db.SaveChangesAsync();

            await services.GetRequiredService<IPublishEndpoint>().Publish(new Ping("failed-inside-a-transaction"));
            db.Effects.Add(new Effect { Id = TakenId, Key = "duplicate", Consumer = "request" });
            await Assert.ThrowsAsync<DbUpdateException>(() => db.SaveChangesAsync()); // rolled back to its savepoint
            db.ChangeTracker.Clear();

            await services.GetRequiredService<IPublishEndpoint>().Publish(new Ping("committed-inside-the-transaction"));
            await db.SaveChangesAsync();
            await transaction.CommitAsync();
        });

        await host.Observed.WaitFor<Ping>(p => p.Key == "committed-inside-the-transaction");
        await host.WaitUntilQuiet();
        Assert.Empty(host.Observed.All<Ping>(p => p.Key == "failed-inside-a-transaction"));
    }

    [Fact]
    public async Task Should_send_nothing_a_consumer_published_before_its_own_save_failed()
    {
        await using var host = await StartHost();
        await TakeTheId(host);

        await host.Bus.Publish(new SaveFailsThenCarryOn("consumer", TakenId));

        await host.Observed.WaitFor<Echoed>(e => e.Key == "consumer-after-the-failure");
        await host.WaitUntilQuiet();
        Assert.Empty(host.Observed.All<Echoed>(e => e.Key == "consumer-before-the-failure"));
        Assert.Single(host.Observed.All<Echoed>(e => e.Key == "consumer-after-the-failure"));
    }

    static async Task TakeTheId(ShopTestHost host) =>
        await host.InScope(async services =>
        {
            var db = services.GetRequiredService<TestDbContext>();
            if (await db.Effects.AnyAsync(e => e.Id == TakenId))
                return; // the class's database, taken by an earlier test
            db.Effects.Add(new Effect { Id = TakenId, Key = "taken", Consumer = "setup" });
            await db.SaveChangesAsync();
        });
}

public sealed class When_a_save_fails_on_postgresql(TestEnvironment environment) : When_a_save_fails(environment)
{
    protected override Task<ShopTestHost> StartHost(Dictionary<string, string?>? settings = null) =>
        ShopTestHost.Start(Environment, settings, x =>
        {
            ShopTestHost.AddTestComponents(x);
            x.AddConsumer<SaveFailsThenCarryOnConsumer>();
        });
}

public sealed class When_a_save_fails_on_sqlite(TestEnvironment environment) : When_a_save_fails(environment), IDisposable
{
    readonly string _file = Path.Combine(Path.GetTempPath(), $"shop-failed-save-{Guid.NewGuid():N}.db");

    protected override async Task<ShopTestHost> StartHost(Dictionary<string, string?>? settings = null)
    {
        var connectionString = $"Data Source={_file};Pooling=false";
        await using (var db = new TestDbContext(new DbContextOptionsBuilder<TestDbContext>().UseSqlite(connectionString).Options))
            await db.Database.EnsureCreatedAsync();

        var all = new Dictionary<string, string?> { ["Messaging:Transport"] = "InMemory", ["Messaging:PrefetchCount"] = "4" };
        foreach (var (key, value) in settings ?? [])
            all[key] = value;
        return await ShopTestHost.Start(Environment, all, x =>
        {
            ShopTestHost.AddTestComponents(x);
            x.AddConsumer<SaveFailsThenCarryOnConsumer>();
        }, o => o.UseSqlite(connectionString));
    }

    public void Dispose()
    {
        foreach (var path in new[] { _file, _file + "-wal", _file + "-shm" })
            File.Delete(path);
    }
}
