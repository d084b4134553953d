using MassTransit;
using Shop.Messaging.EntityFrameworkCore.Storage;
using Shop.Messaging.Tests.Components;
using Shop.Messaging.Tests.Infrastructure;
using Shop.Testing;
using Xunit;

namespace Shop.Messaging.Tests;

/// <summary>
/// A consumer marked <c>[ClaimAtCommit]</c> sends its inbox claim with its commit: a copy of a consumed message runs
/// the consumer again (that is what the attribute trades), but nothing of that run commits or goes out, and the copy
/// is acknowledged as a duplicate, not faulted.
/// </summary>
public sealed class When_a_consumer_claims_its_inbox_row_at_commit(TestEnvironment environment) : IClassFixture<TestEnvironment>
{
    [Fact]
    public async Task Should_commit_nothing_of_a_second_copy()
    {
        await using var host = await ShopTestHost.Start(environment);
        var messageId = NewId.NextGuid();
        const string key = "at-commit-twice";

        await host.Bus.Publish(new RecordAtCommit(key), c => c.MessageId = messageId);
        await host.Observed.WaitFor<Echoed>(e => e.Key == key, timeout: TimeSpan.FromSeconds(10));
        await host.Bus.Publish(new RecordAtCommit(key), c => c.MessageId = messageId);

        await Eventually.Returns(() => environment.ReceiveCount(messageId), n => n == 2, "the inbox to count the second copy");
        await host.WaitUntilQuiet();
        Assert.Equal(2, host.Attempts.Of(key));
        Assert.Equal(1, await environment.CountEffects(key));
        Assert.Single(host.Observed.All<Echoed>(e => e.Key == key));
        Assert.Empty(host.Observed.All<Fault<RecordAtCommit>>(f => f.Message.Key == key));
    }

    [Fact]
    public async Task Should_commit_one_of_five_copies_arriving_together()
    {
        await using var host = await ShopTestHost.Start(environment, new Dictionary<string, string?>
        {
            ["Messaging:PrefetchCount"] = "16"
        });
        var messageId = NewId.NextGuid();
        const string key = "at-commit-five";

        await Task.WhenAll(Enumerable.Range(0, 5).Select(_ => host.Bus.Publish(new RecordAtCommit(key), c => c.MessageId = messageId)));

        await Eventually.Returns(() => environment.ReceiveCount(messageId), n => n == 5, "the inbox to count all five copies");
        await host.WaitUntilQuiet();
        Assert.Equal(1, await environment.CountEffects(key));
        Assert.Single(host.Observed.All<Echoed>(e => e.Key == key));
        Assert.Empty(host.Observed.All<Fault<RecordAtCommit>>(f => f.Message.Key == key));
    }

    [Fact]
    public async Task Should_claim_first_on_the_retry_after_a_failure()
    {
        await using var host = await ShopTestHost.Start(environment);
        var messageId = NewId.NextGuid();
        const string key = "at-commit-retried";

        await host.Bus.Publish(new RecordAtCommit(key, FailTimes: 1), c => c.MessageId = messageId);

        await host.Observed.WaitFor<Echoed>(e => e.Key == key, timeout: TimeSpan.FromSeconds(10));
        await host.WaitUntilQuiet();
        Assert.Equal(2, host.Attempts.Of(key));
        Assert.Equal(1, await environment.CountEffects(key));
        Assert.Equal(1, await environment.ReceiveCount(messageId));
        Assert.Single(host.Observed.All<Echoed>(e => e.Key == key));
    }

    [Fact]
    public async Task Should_fault_a_message_that_always_fails_and_commit_none_of_it()
    {
        await using var host = await ShopTestHost.Start(environment);
        var messageId = NewId.NextGuid();
        const string key = "at-commit-broken";

        await host.Bus.Publish(new RecordAtCommit(key, Broken: true), c => c.MessageId = messageId);

        var fault = (await host.Observed.WaitFor<Fault<RecordAtCommit>>(f => f.Message.Key == key, timeout: TimeSpan.FromSeconds(30))).Single();
        Assert.Contains("broken on purpose", fault.Exceptions.Single().Message);
        await host.WaitUntilQuiet();
        Assert.Equal(0, await environment.CountEffects(key));
        Assert.Equal(0, await environment.ReceiveCount(messageId));
        Assert.Empty(host.Observed.All<Echoed>(e => e.Key == key));
    }
}

/// <summary>
/// A consumer that runs outside a transaction (<c>[ConsumesOutsideTransaction]</c>) has run by the time its inbox row
/// is claimed, so on PostgreSQL the claim always goes with that commit: copies that reach it together commit one of
/// them, and a row an older version left unmarked still lets the consumer's work through.
/// </summary>
public sealed class When_a_consumer_outside_a_transaction_commits(TestEnvironment environment) : IClassFixture<TestEnvironment>
{
    [Fact]
    public async Task Should_commit_one_of_five_copies_that_reach_the_commit_together()
    {
        await using var host = await ShopTestHost.Start(environment, new Dictionary<string, string?>
        {
            ["Messaging:PrefetchCount"] = "16"
        });
        var messageId = NewId.NextGuid();
        const string key = "outside-five";

        await Task.WhenAll(Enumerable.Range(0, 5).Select(_ => host.Bus.Publish(new RecordOutside(key, Together: 5), c => c.MessageId = messageId)));

        await Eventually.Returns(() => environment.ReceiveCount(messageId), n => n == 5, "the inbox to count all five copies",
            TimeSpan.FromSeconds(30));
        await host.WaitUntilQuiet();
        Assert.Equal(5, host.Attempts.Of(key));
        Assert.Equal(1, await environment.CountEffects(key));
        Assert.Single(host.Observed.All<Echoed>(e => e.Key == key));
        Assert.Empty(host.Observed.All<Fault<RecordOutside>>(f => f.Message.Key == key));
    }

    [Fact]
    public async Task Should_commit_the_work_and_mark_a_row_an_older_version_left_unmarked()
    {
        await using var host = await ShopTestHost.Start(environment);
        var first = NewId.NextGuid();
        await host.Bus.Publish(new RecordOutside("outside-unmarked-first"), c => c.MessageId = first);
        await host.Observed.WaitFor<Echoed>(e => e.Key == "outside-unmarked-first", timeout: TimeSpan.FromSeconds(10));
        var consumerId = (await environment.InboxRow(first))!.ConsumerId;

        // Before the claim wrote the consumed time itself, a row could commit without one; it proves no consume.
        var second = await environment.AddUnmarkedInboxRow(consumerId);

        await host.Bus.Publish(new RecordOutside("outside-unmarked-second"), c => c.MessageId = second);

        await host.Observed.WaitFor<Echoed>(e => e.Key == "outside-unmarked-second", timeout: TimeSpan.FromSeconds(10));
        var row = await Eventually.Returns(() => environment.InboxRow(second), r => r?.Consumed is not null, "the row to be marked consumed");
        Assert.Equal(2, row!.ReceiveCount);
        Assert.Equal(1, await environment.CountEffects("outside-unmarked-second"));
    }
}
