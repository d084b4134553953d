using MassTransit;
using Microsoft.EntityFrameworkCore;
using Shop.Messaging.Tests.Components;
using Shop.Messaging.Tests.Infrastructure;
using Shop.Testing;
using Xunit;

namespace Shop.Messaging.Tests;

public sealed class When_many_events_arrive_for_one_saga_at_once(TestEnvironment environment) : IClassFixture<TestEnvironment>
{
    [Fact]
    public async Task Should_apply_every_one_without_losing_an_update()
    {
        await using var host = await ShopTestHost.Start(environment, new Dictionary<string, string?>
        {
            ["Messaging:PrefetchCount"] = "32"
        });
        var counterId = NewId.NextGuid();

        await host.Bus.Publish(new StartCounter(counterId));
        await Eventually.Returns(() => Count(counterId), n => n == 0, "the saga instance to exist");

        await Task.WhenAll(Enumerable.Range(0, 50).Select(_ => host.Bus.Publish(new IncrementCounter(counterId))));

        var final = await Eventually.Returns(() => Count(counterId), n => n >= 50, "all 50 increments", TimeSpan.FromSeconds(60));
        await host.WaitUntilQuiet();
        Assert.Equal(50, await Count(counterId));
        Assert.Equal(50, final);
    }

    async Task<int?> Count(Guid counterId)
    {
        await using var db = environment.CreateDbContext();
        return await db.Counters.Where(c => c.CorrelationId == counterId).Select(c => (int?)c.Count).SingleOrDefaultAsync();
    }
}

/// <summary>
/// A saga's inbox claim travels with its instance's locking load (one command on PostgreSQL): a duplicate must still
/// be found before the state machine runs, whether the copies come one after another or together.
/// </summary>
public sealed class When_a_saga_event_is_delivered_twice(TestEnvironment environment) : IClassFixture<TestEnvironment>
{
    [Fact]
    public async Task Should_apply_it_once()
    {
        await using var host = await ShopTestHost.Start(environment);
        var counterId = await StartedCounter(host);
        var messageId = NewId.NextGuid();

        await host.Bus.Publish(new IncrementCounter(counterId), c => c.MessageId = messageId);
        await Eventually.Returns(() => Count(counterId), n => n == 1, "the first delivery's increment");
        await host.Bus.Publish(new IncrementCounter(counterId), c => c.MessageId = messageId);

        await Eventually.Returns(() => environment.ReceiveCount(messageId), n => n == 2, "the inbox to see the second delivery");
        await host.WaitUntilQuiet();
        Assert.Equal(1, await Count(counterId));
    }

    [Fact]
    public async Task Should_apply_it_once_when_the_copies_arrive_together()
    {
        await using var host = await ShopTestHost.Start(environment, new Dictionary<string, string?>
        {
            ["Messaging:PrefetchCount"] = "16"
        });
        var counterId = await StartedCounter(host);
        var messageId = NewId.NextGuid();

        await Task.WhenAll(Enumerable.Range(0, 5).Select(_ => host.Bus.Publish(new IncrementCounter(counterId), c => c.MessageId = messageId)));

        await Eventually.Returns(() => environment.ReceiveCount(messageId), n => n == 5, "the inbox to see all five deliveries");
        await host.WaitUntilQuiet();
        Assert.Equal(1, await Count(counterId));
    }

    [Fact]
    public async Task Should_not_run_an_initial_event_again_on_the_instance_it_created()
    {
        await using var host = await ShopTestHost.Start(environment);
        var counterId = NewId.NextGuid();
        var messageId = NewId.NextGuid();

        await host.Bus.Publish(new StartCounter(counterId), c => c.MessageId = messageId);
        await Eventually.Returns(() => Count(counterId), n => n == 0, "the saga instance to exist");
        // Run again, the start would meet its own instance in Active, where it is not accepted: a fault.
        await host.Bus.Publish(new StartCounter(counterId), c => c.MessageId = messageId);

        await Eventually.Returns(() => environment.ReceiveCount(messageId), n => n == 2, "the inbox to see the second delivery");
        await host.WaitUntilQuiet();
        Assert.Empty(host.Observed.All<Fault<StartCounter>>(f => f.Message.CounterId == counterId));
    }

    async Task<Guid> StartedCounter(ShopTestHost host)
    {
        var counterId = NewId.NextGuid();
        await host.Bus.Publish(new StartCounter(counterId));
        await Eventually.Returns(() => Count(counterId), n => n == 0, "the saga instance to exist");
        return counterId;
    }

    async Task<int?> Count(Guid counterId)
    {
        await using var db = environment.CreateDbContext();
        return await db.Counters.Where(c => c.CorrelationId == counterId).Select(c => (int?)c.Count).SingleOrDefaultAsync();
    }
}
