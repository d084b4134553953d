using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Shop.Messaging.EntityFrameworkCore.Storage;
using Shop.Messaging.Tests.Components;
using Shop.Messaging.Tests.Infrastructure;
using Shop.Testing;
using Xunit;

namespace Shop.Messaging.Tests;

/// <summary>A consumer that leaves its writes to the store's last save (which carries the commit on PostgreSQL).</summary>
public sealed record LeaveToTheStore(string Key, long? TakenId = null, string? GoneKey = null);

public sealed class LeaveToTheStoreConsumer(TestDbContext db, TestEnvironment environment, Attempts attempts) : IConsumer<LeaveToTheStore>
{
    public async Task Consume(ConsumeContext<LeaveToTheStore> context)
    {
        var message = context.Message;
        attempts.Next(message.Key);
        await context.Publish(new Echoed(message.Key));
        db.Effects.Add(new Effect { Key = message.Key, Consumer = nameof(LeaveToTheStoreConsumer) });

        // A row whose key is taken: the last batch fails at this statement, before its commit.
        if (message.TakenId is { } taken)
            db.Effects.Add(new Effect { Id = taken, Key = message.Key + "-taken", Consumer = nameof(LeaveToTheStoreConsumer) });

        // A row read here and deleted by someone else before the last save updates it.
        if (message.GoneKey is { } gone)
        {
            var effect = await db.Effects.SingleAsync(e => e.Key == gone, context.CancellationToken);
            await using (var other = environment.CreateDbContext())
                await other.Effects.Where(e => e.Id == effect.Id).ExecuteDeleteAsync(context.CancellationToken);
            effect.Consumer = "updated after it was deleted";
        }
    }
}

/// <summary>Schedules a ping and cancels it in the same consume, before anything of it was written.</summary>
public sealed record ScheduleThenCancel(string Key);

public sealed class ScheduleThenCancelConsumer(TestDbContext db) : IConsumer<ScheduleThenCancel>
{
    public async Task Consume(ConsumeContext<ScheduleThenCancel> context)
    {
        var scheduler = context.GetPayload<MessageSchedulerContext>();
        var cancelled = await scheduler.ScheduleSend(new Uri("queue:ping-observer"), DateTime.UtcNow.AddSeconds(1), new Ping(context.Message.Key + "-cancelled"));
        await scheduler.ScheduleSend(new Uri("queue:ping-observer"), DateTime.UtcNow.AddSeconds(1), new Ping(context.Message.Key + "-kept"));
        await scheduler.CancelScheduledSend(new Uri("queue:ping-observer"), cancelled.TokenId);
        db.Effects.Add(new Effect { Key = context.Message.Key, Consumer = nameof(ScheduleThenCancelConsumer) });
    }
}

/// <summary>
/// The store's last save of a consume carries the transaction's commit in its batch. What must hold: a statement that
/// fails in that batch leaves nothing committed (the commit after it does not run), and the one check EF Core makes
/// after the batch ran (rows affected) cannot turn a committed consume into a failed one.
/// </summary>
public sealed class When_the_last_save_carries_the_commit(TestEnvironment environment) : IClassFixture<TestEnvironment>
{
    const long TakenId = 9_100_001;

    Task<ShopTestHost> StartHost() => ShopTestHost.Start(environment, configureBus: x =>
    {
        ShopTestHost.AddTestComponents(x);
        x.AddConsumer<LeaveToTheStoreConsumer>();
        x.AddConsumer<ScheduleThenCancelConsumer>();
        x.AddObserver<Fault<LeaveToTheStore>>();
    }, configureServices: services => services.AddSingleton(environment));

    [Fact]
    public async Task Should_commit_the_consumers_rows_its_messages_and_the_inbox_mark_together()
    {
        await using var host = await StartHost();
        var messageId = NewId.NextGuid();

        await host.Bus.Publish(new LeaveToTheStore("kept"), c => c.MessageId = messageId);

        await host.Observed.WaitFor<Echoed>(e => e.Key == "kept");
        await host.WaitUntilQuiet();
        Assert.Equal(1, await environment.CountEffects("kept"));
        Assert.NotNull(await Consumed(messageId));
        Assert.Equal(1, host.Attempts.Of("kept"));
    }

    [Fact]
    public async Task Should_commit_nothing_when_a_statement_of_the_last_batch_fails()
    {
        await using var host = await StartHost();
        await environment.TakeEffectId(TakenId);
        var messageId = NewId.NextGuid();

        await host.Bus.Publish(new LeaveToTheStore("refused", TakenId), c => c.MessageId = messageId);

        await host.Observed.WaitFor<Fault<LeaveToTheStore>>(f => f.Message.Key == "refused", timeout: TimeSpan.FromSeconds(30));
        await host.WaitUntilQuiet();
        Assert.True(host.Attempts.Of("refused") > 1, "a failed save is retried: the first attempt must not have counted as consumed");
        Assert.Equal(0, await environment.CountEffects("refused"));
        Assert.Null(await Consumed(messageId));
        Assert.Empty(host.Observed.All<Echoed>(e => e.Key == "refused"));
    }

    [Fact]
    public async Task Should_count_a_consume_as_done_when_a_row_it_updates_was_deleted_meanwhile()
    {
        await using var host = await StartHost();
        await using (var db = environment.CreateDbContext())
        {
            db.Effects.Add(new Effect { Key = "to-be-gone", Consumer = "setup" });
            await db.SaveChangesAsync();
        }

        var messageId = NewId.NextGuid();
        await host.Bus.Publish(new LeaveToTheStore("outlived", GoneKey: "to-be-gone"), c => c.MessageId = messageId);

        await host.Observed.WaitFor<Echoed>(e => e.Key == "outlived");
        await host.WaitUntilQuiet();
        Assert.Equal(1, host.Attempts.Of("outlived"));
        Assert.Equal(1, await environment.CountEffects("outlived"));
        Assert.Equal(0, await environment.CountEffects("to-be-gone"));
        Assert.NotNull(await Consumed(messageId));
        Assert.Single(host.Observed.All<Echoed>(e => e.Key == "outlived"));
        Assert.Empty(host.Observed.All<Fault<LeaveToTheStore>>(f => f.Message.Key == "outlived"));
    }

    [Fact]
    public async Task Should_write_nothing_of_a_schedule_cancelled_in_the_same_consume()
    {
        await using var host = await StartHost();

        await host.Bus.Publish(new ScheduleThenCancel("same-consume"));

        await host.Observed.WaitFor<Ping>(p => p.Key == "same-consume-kept", timeout: TimeSpan.FromSeconds(20));
        await host.WaitUntilQuiet();
        Assert.Empty(host.Observed.All<Ping>(p => p.Key == "same-consume-cancelled"));
        Assert.Equal(1, await environment.CountEffects("same-consume"));
    }

    async Task<DateTime?> Consumed(Guid messageId)
    {
        await using var db = environment.CreateDbContext();
        return await db.Set<InboxState>().Where(x => x.MessageId == messageId).Select(x => x.Consumed).SingleOrDefaultAsync();
    }
}
