using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Shop.Messaging.EntityFrameworkCore.Storage;
using Shop.Messaging.Tests.Components;
using Shop.Messaging.Tests.Infrastructure;
using Shop.Testing;
using Xunit;

namespace Shop.Messaging.Tests;

public sealed class When_messages_are_scheduled(TestEnvironment environment) : IClassFixture<TestEnvironment>
{
    static readonly Uri PingQueue = new("queue:ping-observer");

    [Fact]
    public async Task Should_deliver_no_earlier_than_the_scheduled_time()
    {
        await using var host = await ShopTestHost.Start(environment);
        const string key = "two-seconds";

        var scheduledAt = DateTime.UtcNow;
        await host.InScope(async services =>
        {
            await services.GetRequiredService<IMessageScheduler>().ScheduleSend(PingQueue, scheduledAt.AddSeconds(2), new Ping(key));
            await services.GetRequiredService<TestDbContext>().SaveChangesAsync();
        });

        var received = (await host.Observed.WaitForReceived<Ping>(p => p.Key == key, timeout: TimeSpan.FromSeconds(15))).Single();
        Assert.True(received.At - scheduledAt >= TimeSpan.FromSeconds(2), $"arrived after {received.At - scheduledAt}");
    }

    [Fact]
    public async Task Should_never_deliver_a_cancelled_message()
    {
        await using var host = await ShopTestHost.Start(environment);
        const string key = "cancelled";

        ScheduledMessage<Ping>? scheduled = null;
        await host.InScope(async services =>
        {
            scheduled = await services.GetRequiredService<IMessageScheduler>().ScheduleSend(PingQueue, DateTime.UtcNow.AddSeconds(2), new Ping(key));
            await services.GetRequiredService<TestDbContext>().SaveChangesAsync();
        });
        await host.InScope(services => services.GetRequiredService<IMessageScheduler>().CancelScheduledSend(PingQueue, scheduled!.TokenId));

        await host.WaitUntilQuiet(); // nothing left in the outbox that could still send it
        Assert.Empty(host.Observed.All<Ping>(p => p.Key == key));
        await using var db = environment.CreateDbContext();
        Assert.Equal(0, await db.Set<OutboxMessage>().CountAsync(m => m.ScheduleTokenId == scheduled!.TokenId));
    }

    [Fact]
    public async Task Should_deliver_after_the_host_that_scheduled_it_restarted()
    {
        const string key = "survives-restart";
        await using (var before = await ShopTestHost.Start(environment))
        {
            await before.InScope(async services =>
            {
                await services.GetRequiredService<IMessageScheduler>().ScheduleSend(PingQueue, DateTime.UtcNow.AddSeconds(3), new Ping(key));
                await services.GetRequiredService<TestDbContext>().SaveChangesAsync();
            });
        }

        await using var after = await ShopTestHost.Start(environment);
        await after.Observed.WaitFor<Ping>(p => p.Key == key, timeout: TimeSpan.FromSeconds(20));
    }

    [Fact]
    public async Task Should_schedule_from_a_consumer_inside_its_transaction()
    {
        await using var host = await ShopTestHost.Start(environment);
        const string key = "from-consumer";

        var sentAt = DateTime.UtcNow;
        await host.Bus.Publish(new SchedulePing(key, TimeSpan.FromSeconds(1)));

        var received = (await host.Observed.WaitForReceived<Ping>(p => p.Key == key, timeout: TimeSpan.FromSeconds(15))).Single();
        Assert.True(received.At - sentAt >= TimeSpan.FromSeconds(1), $"arrived after {received.At - sentAt}");
    }

    [Fact]
    public async Task Should_fire_a_saga_schedule_and_honour_its_unschedule()
    {
        await using var host = await ShopTestHost.Start(environment);
        var reminded = NewId.NextGuid();
        var unscheduled = NewId.NextGuid();

        await host.Bus.Publish(new StartCounter(reminded));
        await host.Bus.Publish(new StartCounter(unscheduled));
        await Eventually.Returns(() => Counters(c => c.CorrelationId == reminded || c.CorrelationId == unscheduled), n => n == 2,
            "both saga instances");

        await host.Bus.Publish(new RemindCounter(reminded, TimeSpan.FromSeconds(1)));
        await host.Bus.Publish(new RemindCounter(unscheduled, TimeSpan.FromSeconds(3)));
        await Eventually.Returns(() => Counters(c => c.CorrelationId == unscheduled && c.ReminderTokenId != null), n => n == 1,
            "the reminder to be scheduled");
        await using (var before = environment.CreateDbContext())
        {
            var token = await before.Counters.Where(c => c.CorrelationId == unscheduled).Select(c => c.ReminderTokenId).SingleAsync();
            Assert.True(await before.Set<OutboxMessage>().AnyAsync(m => m.ScheduleTokenId == token), "the reminder's outbox row");
            await host.Bus.Publish(new CancelReminder(unscheduled));

            // The cancel's delete commits with the step that unschedules (in the same batch as its save, on PostgreSQL).
            await Eventually.Returns(() => Counters(c => c.CorrelationId == unscheduled && c.ReminderTokenId == null), n => n == 1,
                "the reminder to be unscheduled");
            Assert.False(await before.Set<OutboxMessage>().AnyAsync(m => m.ScheduleTokenId == token), "the cancelled reminder's outbox row");
        }

        await host.Observed.WaitFor<CounterReminded>(r => r.CounterId == reminded, timeout: TimeSpan.FromSeconds(15));
        await host.WaitUntilQuiet();
        Assert.Empty(host.Observed.All<CounterReminded>(r => r.CounterId == unscheduled));

        await using var db = environment.CreateDbContext();
        Assert.True(await db.Counters.Where(c => c.CorrelationId == reminded).Select(c => c.Reminded).SingleAsync());
        Assert.False(await db.Counters.Where(c => c.CorrelationId == unscheduled).Select(c => c.Reminded).SingleAsync());
    }

    async Task<int> Counters(System.Linq.Expressions.Expression<Func<CounterState, bool>> match)
    {
        await using var db = environment.CreateDbContext();
        return await db.Counters.CountAsync(match);
    }
}
