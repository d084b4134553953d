using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Shop.Messaging.Composition;
using Shop.Messaging.EntityFrameworkCore;
using Shop.Messaging.EntityFrameworkCore.Storage;
using Shop.Messaging.Tests.Components;
using Shop.Messaging.Tests.Infrastructure;
using Shop.Testing;
using Xunit;

namespace Shop.Messaging.Tests;

/// <summary>
/// Two services in one host, as the standalone mode runs them: each calls AddShopMessaging on its own DbContext inside
/// ComposeShopMessaging, and both share one bus while each keeps its own inbox, outbox and sagas.
/// </summary>
public sealed class When_two_services_are_composed_onto_one_bus : IAsyncLifetime
{
    readonly string _first = Path.Combine(Path.GetTempPath(), $"shop-composed-first-{Guid.NewGuid():N}.db");
    readonly string _second = Path.Combine(Path.GetTempPath(), $"shop-composed-second-{Guid.NewGuid():N}.db");
    TestService _host = null!;

    public async Task InitializeAsync()
    {
        await using (var db = FirstDb())
            await db.Database.EnsureCreatedAsync();
        await using (var db = SecondDb())
            await db.Database.EnsureCreatedAsync();

        _host = await TestServiceBuilder.Worker()
            .With(new Dictionary<string, string?>
            {
                ["Messaging:Transport"] = "InMemory",
                ["Messaging:DurableStore:PollInterval"] = "00:00:00.500",
            })
            .Add(builder =>
            {
                builder.Services.AddSingleton<MessageLog>();
                builder.Services.AddSingleton<Attempts>();
                builder.Services.AddDbContext<TestDbContext>(o => o.UseSqlite(Sqlite(_first)));
                builder.Services.AddDbContext<SecondServiceDbContext>(o => o.UseSqlite(Sqlite(_second)));

                builder.Services.ComposeShopMessaging(builder.Configuration, () =>
                {
                    builder.Services.AddShopMessaging<TestDbContext>(builder.Configuration, x =>
                    {
                        x.AddConsumer<PublishThenFailConsumer>();
                        x.AddSagaStateMachine<CounterStateMachine, CounterState>();
                    });
                    builder.Services.AddShopMessaging<SecondServiceDbContext>(builder.Configuration, x =>
                    {
                        x.AddConsumer<EchoedRecorder>();
                        x.AddConsumer<PingObserver>();
                    });
                });
            })
            .Start();
    }

    [Fact]
    public async Task Should_keep_each_service_s_inbox_outbox_and_sagas_in_its_own_database()
    {
        var bus = _host.Services.GetRequiredService<IBus>();
        await bus.Publish(new PublishThenFail("composed", FailTimes: 0, Transient: true));
        await bus.Publish(new StartCounter(Guid.NewGuid()));

        // First service consumes and publishes Echoed through its outbox; the second consumes that and publishes Ping.
        await _host.Services.GetRequiredService<MessageLog>().WaitFor<Ping>(p => p.Key == "composed");

        await using var first = FirstDb();
        await using var second = SecondDb();
        Assert.Equal([nameof(PublishThenFailConsumer)], await first.Effects.Select(e => e.Consumer).ToListAsync());
        Assert.Equal([nameof(EchoedRecorder)], await second.Effects.Select(e => e.Consumer).ToListAsync());
        // StartCounter was published beside PublishThenFail, so the saga may still be on its way when Ping arrives.
        await Eventually.Returns(() => first.Counters.CountAsync(), n => n == 1, "the first service's saga to be stored");

        // Each delivery is recorded by the inbox of the service whose consumer ran (the first: its consumer and the saga;
        // the second: its two consumers), and each outbox is emptied by its own delivery service.
        await Eventually.Returns(() => CountInbox(first), n => n == 2, "the first service's inbox to hold its consumer and saga");
        await Eventually.Returns(() => CountInbox(second), n => n == 2, "the second service's inbox to hold its two consumers");
        await Eventually.Returns(() => first.Set<OutboxMessage>().CountAsync(), n => n == 0, "the first service's outbox to be delivered");
        await Eventually.Returns(() => second.Set<OutboxMessage>().CountAsync(), n => n == 0, "the second service's outbox to be delivered");
    }

    [Fact]
    public async Task Should_write_a_publish_outside_any_consumer_to_the_primary_service_s_outbox()
    {
        await using (var scope = _host.Services.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<IPublishEndpoint>().Publish(new Echoed("from-a-request"));
            var db = scope.ServiceProvider.GetRequiredService<TestDbContext>();
            Assert.Single(db.ChangeTracker.Entries<OutboxMessage>());
            await db.SaveChangesAsync();
        }

        await _host.Services.GetRequiredService<MessageLog>().WaitFor<Ping>(p => p.Key == "from-a-request");
    }

    [Fact]
    public async Task Should_check_every_service_s_database_under_a_name_of_its_own()
    {
        var report = await _host.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync(check => check.Tags.Contains("ready"));

        Assert.Contains("database-TestDbContext", report.Entries.Keys);
        Assert.Contains("database-SecondServiceDbContext", report.Entries.Keys);
        Assert.Equal(HealthStatus.Healthy, report.Status);
    }

    static Task<int> CountInbox(DbContext db) => db.Set<InboxState>().AsNoTracking().Select(i => i.ConsumerId).Distinct().CountAsync();

    TestDbContext FirstDb() => new(new DbContextOptionsBuilder<TestDbContext>().UseSqlite(Sqlite(_first)).Options);

    SecondServiceDbContext SecondDb() => new(new DbContextOptionsBuilder<SecondServiceDbContext>().UseSqlite(Sqlite(_second)).Options);

    static string Sqlite(string file) => $"Data Source={file};Pooling=false";

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        foreach (var file in new[] { _first, _second })
        foreach (var path in new[] { file, file + "-wal", file + "-shm" })
            File.Delete(path);
    }
}
