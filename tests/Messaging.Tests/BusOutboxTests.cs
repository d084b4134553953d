using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Shop.Messaging.EntityFrameworkCore.Storage;
using Shop.Messaging.Tests.Components;
using Shop.Messaging.Tests.Infrastructure;
using Shop.Testing;
using Xunit;

namespace Shop.Messaging.Tests;

public sealed class When_a_request_publishes_through_the_bus_outbox(TestEnvironment environment) : IClassFixture<TestEnvironment>
{
    [Fact]
    public async Task Should_send_nothing_when_the_transaction_rolls_back()
    {
        await using var host = await ShopTestHost.Start(environment);
        const string key = "rolled-back";

        await host.InScope(async services =>
        {
            var db = services.GetRequiredService<TestDbContext>();
            await using var transaction = await db.Database.BeginTransactionAsync();
            await services.GetRequiredService<IPublishEndpoint>().Publish(new Ping(key));
            db.Effects.Add(new Effect { Key = key, Consumer = "request" });
            await db.SaveChangesAsync();
            await transaction.RollbackAsync();
        });

        await host.WaitUntilQuiet();
        Assert.Empty(host.Observed.All<Ping>(p => p.Key == key));
        await using var check = environment.CreateDbContext();
        Assert.Equal(0, await check.Set<OutboxMessage>().CountAsync());
    }

    [Fact]
    public async Task Should_send_once_after_commit_and_leave_the_outbox_empty()
    {
        await using var host = await ShopTestHost.Start(environment);
        const string key = "committed";

        await host.InScope(async services =>
        {
            var db = services.GetRequiredService<TestDbContext>();
            await using var transaction = await db.Database.BeginTransactionAsync();
            await services.GetRequiredService<IPublishEndpoint>().Publish(new Ping(key));
            db.Effects.Add(new Effect { Key = key, Consumer = "request" });
            await db.SaveChangesAsync();
            await transaction.CommitAsync();
        });

        await host.Observed.WaitFor<Ping>(p => p.Key == key, timeout: TimeSpan.FromSeconds(10));
        await host.WaitUntilQuiet();
        Assert.Single(host.Observed.All<Ping>(p => p.Key == key));
        await Eventually.Returns(async () =>
        {
            await using var check = environment.CreateDbContext();
            return await check.Set<OutboxMessage>().CountAsync();
        }, n => n == 0, "the delivered outbox rows to be removed");
    }

    [Fact]
    public async Task Should_deliver_right_after_commit_rather_than_at_the_next_poll()
    {
        // A poll interval far longer than the wait below: only the commit notification can deliver in time.
        await using var host = await ShopTestHost.Start(environment, new Dictionary<string, string?>
        {
            ["Messaging:DurableStore:PollInterval"] = "00:01:00"
        });
        await host.WaitUntilQuiet(); // nothing for the delivery service to do: it is in its (one-minute) wait

        for (var i = 0; i < 3; i++)
        {
            var key = $"prompt-{i}";
            await host.InScope(async services =>
            {
                await services.GetRequiredService<IPublishEndpoint>().Publish(new Ping(key));
                await services.GetRequiredService<TestDbContext>().SaveChangesAsync();
            });

            await host.Observed.WaitFor<Ping>(p => p.Key == key, timeout: TimeSpan.FromSeconds(5));
        }
    }

    [Fact]
    public async Task Should_send_each_message_once_when_two_delivery_services_share_the_table()
    {
        // Host "writer" only writes; two hosts compete to deliver. Each sees every Ping its observer receives.
        var noDelivery = new Dictionary<string, string?>
        {
            ["Messaging:DurableStore:DeliveryEnabled"] = "false",
            ["Messaging:DurableStore:DeliverAfterCommit"] = "false"
        };
        var smallBatches = new Dictionary<string, string?> { ["Messaging:DurableStore:BatchSize"] = "10" };
        await using var writer = await ShopTestHost.Start(environment, noDelivery);

        const int count = 200;
        var keys = Enumerable.Range(0, count).Select(i => $"shared-{i}").ToList();
        foreach (var chunk in keys.Chunk(20))
        {
            await writer.InScope(async services =>
            {
                var db = services.GetRequiredService<TestDbContext>();
                foreach (var key in chunk)
                {
                    await services.GetRequiredService<IPublishEndpoint>().Publish(new Ping(key));
                    await db.SaveChangesAsync(); // one outbox per message, so both instances get a share
                }
            });
        }

        await using var first = await ShopTestHost.Start(environment, smallBatches, x => x.AddConsumer<PingCounter>());
        await using var second = await ShopTestHost.Start(environment, smallBatches, x => x.AddConsumer<PingCounter>());

        await Eventually.Returns(async () =>
        {
            await using var db = environment.CreateDbContext();
            return await db.Effects.CountAsync(e => e.Consumer == nameof(PingCounter));
        }, n => n >= count, "every Ping to be consumed");
        await first.WaitUntilQuiet();
        await second.WaitUntilQuiet();

        await using var check = environment.CreateDbContext();
        var received = await check.Effects.Where(e => e.Consumer == nameof(PingCounter)).Select(e => e.Key).ToListAsync();
        Assert.Equal(count, received.Count);
        Assert.Equal(count, received.Distinct().Count());
        Assert.Equal(0, await check.Set<OutboxMessage>().CountAsync());
        // Every consumer of Ping (the counter here, the writer's observer) saw each message delivered exactly once.
        var deliveriesPerConsumer = await check.Set<InboxState>().GroupBy(i => i.ConsumerId)
            .Select(g => new { Rows = g.Count(), Deliveries = g.Sum(i => i.ReceiveCount) }).ToListAsync();
        Assert.NotEmpty(deliveriesPerConsumer);
        Assert.All(deliveriesPerConsumer, c => Assert.Equal((count, count), (c.Rows, c.Deliveries)));
    }

    /// <summary>Competing consumer of Ping on one endpoint of both hosts; the inbox row count shows every delivery.</summary>
    public sealed class PingCounter(TestDbContext db) : IConsumer<Ping>
    {
        public Task Consume(ConsumeContext<Ping> context)
        {
            db.Effects.Add(new Effect { Key = context.Message.Key, Consumer = nameof(PingCounter) });
            return Task.CompletedTask;
        }
    }
}
