using Microsoft.Extensions.DependencyInjection;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Shop.Messaging.EntityFrameworkCore.Storage;
using Shop.Messaging.Tests.Components;
using Shop.Messaging.Tests.Infrastructure;
using Shop.Testing;
using Xunit;

namespace Shop.Messaging.Tests;

public sealed class When_the_broker_delivers_a_message_twice(TestEnvironment environment) : IClassFixture<TestEnvironment>
{
    [Fact]
    public async Task Should_apply_the_consumer_effect_once()
    {
        await using var host = await ShopTestHost.Start(environment);
        var messageId = NewId.NextGuid();
        const string key = "duplicate-one";

        // A redelivery carries the same MessageId; publishing twice with one id is how it looks to the consumer.
        await host.Bus.Publish(new RecordEffect(key), c => c.MessageId = messageId);
        await Eventually.Returns(() => environment.CountEffects(key), n => n == 1, "the first delivery's effect");
        await host.Bus.Publish(new RecordEffect(key), c => c.MessageId = messageId);

        await Eventually.Returns(() => environment.ReceiveCount(messageId), n => n == 2, "the inbox to see the second delivery");
        Assert.Equal(1, await environment.CountEffects(key));
        Assert.Equal(1, host.Attempts.Of(key));
    }

    [Fact]
    public async Task Should_apply_the_effect_once_when_both_copies_arrive_at_the_same_time()
    {
        await using var host = await ShopTestHost.Start(environment);
        var messageId = NewId.NextGuid();
        const string key = "duplicate-concurrent";

        await Task.WhenAll(Enumerable.Range(0, 5).Select(_ => host.Bus.Publish(new RecordEffect(key), c => c.MessageId = messageId)));

        await Eventually.Returns(() => environment.ReceiveCount(messageId), n => n == 5, "the inbox to see all five deliveries");
        Assert.Equal(1, await environment.CountEffects(key));
        Assert.Equal(1, host.Attempts.Of(key));
    }

    [Fact]
    public async Task Should_remove_consumed_inbox_rows_after_the_retention_window()
    {
        await using var host = await ShopTestHost.Start(environment, new Dictionary<string, string?>
        {
            ["Messaging:DurableStore:InboxRetention"] = "00:00:00.100"
        });
        var messageId = NewId.NextGuid();
        await host.Bus.Publish(new RecordEffect("retention"), c => c.MessageId = messageId);
        await Eventually.Returns(() => environment.ReceiveCount(messageId), n => n == 1, "the inbox row");

        // The row goes once it is older than the retention window, whenever that is on this machine's clock.
        var cleanup = host.Services.GetServices<Microsoft.Extensions.Hosting.IHostedService>()
            .OfType<Shop.Messaging.EntityFrameworkCore.Inbox.InboxCleanupService<TestDbContext>>().Single();
        await Eventually.Returns(async () =>
        {
            await cleanup.RemoveExpired(CancellationToken.None);
            return await environment.ReceiveCount(messageId);
        }, n => n == 0, "the expired inbox row to be removed", TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task Should_run_the_consumer_for_an_inbox_row_left_unmarked_by_an_older_version()
    {
        await using var host = await ShopTestHost.Start(environment);
        var first = NewId.NextGuid();
        await host.Bus.Publish(new RecordEffect("unmarked-first"), c => c.MessageId = first);
        await Eventually.Returns(() => environment.CountEffects("unmarked-first"), n => n == 1, "the first message's effect");
        var consumerId = (await environment.InboxRow(first))!.ConsumerId;

        // Before the claim wrote the consumed time itself, a row could commit without one; it proves no consume.
        var second = await environment.AddUnmarkedInboxRow(consumerId);

        await host.Bus.Publish(new RecordEffect("unmarked-second"), c => c.MessageId = second);

        await Eventually.Returns(() => environment.CountEffects("unmarked-second"), n => n == 1, "the consumer to run for the unmarked row");
        var row = await Eventually.Returns(() => environment.InboxRow(second), r => r?.Consumed is not null, "the row to be marked consumed");
        Assert.Equal(2, row!.ReceiveCount);
        Assert.NotNull((await environment.InboxRow(first))!.Consumed);
    }
}
