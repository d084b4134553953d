using Microsoft.Extensions.DependencyInjection;
using MassTransit;
using Microsoft.EntityFrameworkCore;
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
        await Eventually.Returns(() => CountEffects(key), n => n == 1, "the first delivery's effect");
        await host.Bus.Publish(new RecordEffect(key), c => c.MessageId = messageId);

        await Eventually.Returns(() => ReceiveCount(messageId), n => n == 2, "the inbox to see the second delivery");
        Assert.Equal(1, await CountEffects(key));
        Assert.Equal(1, host.Attempts.Of(key));
    }

    [Fact]
    public async Task Should_apply_the_effect_once_when_both_copies_arrive_at_the_same_time()
    {
        await using var host = await ShopTestHost.Start(environment);
        var messageId = NewId.NextGuid();
        const string key = "duplicate-concurrent";

        await Task.WhenAll(Enumerable.Range(0, 5).Select(_ => host.Bus.Publish(new RecordEffect(key), c => c.MessageId = messageId)));

        await Eventually.Returns(() => ReceiveCount(messageId), n => n == 5, "the inbox to see all five deliveries");
        Assert.Equal(1, await CountEffects(key));
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
        await Eventually.Returns(() => ReceiveCount(messageId), n => n == 1, "the inbox row");
        await Task.Delay(200);

        var cleanup = host.Services.GetServices<Microsoft.Extensions.Hosting.IHostedService>()
            .OfType<Shop.Messaging.EntityFrameworkCore.Inbox.InboxCleanupService<TestDbContext>>().Single();
        await cleanup.RemoveExpired(CancellationToken.None);

        Assert.Equal(0, await ReceiveCount(messageId));
    }

    async Task<int> CountEffects(string key)
    {
        await using var db = environment.CreateDbContext();
        return await db.Effects.CountAsync(e => e.Key == key);
    }

    async Task<int> ReceiveCount(Guid messageId)
    {
        await using var db = environment.CreateDbContext();
        return await db.Set<Shop.Messaging.EntityFrameworkCore.Storage.InboxState>()
            .Where(x => x.MessageId == messageId).Select(x => x.ReceiveCount).SingleOrDefaultAsync();
    }
}
