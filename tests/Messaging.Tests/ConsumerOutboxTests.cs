using Microsoft.EntityFrameworkCore;
using Shop.Messaging.EntityFrameworkCore.Storage;
using Shop.Messaging.Tests.Components;
using Shop.Messaging.Tests.Infrastructure;
using Shop.Testing;
using Xunit;

namespace Shop.Messaging.Tests;

public sealed class When_a_consumer_publishes_and_then_fails(TestEnvironment environment) : IClassFixture<TestEnvironment>
{
    [Fact]
    public async Task Should_publish_nothing_when_it_never_succeeds()
    {
        await using var host = await ShopTestHost.Start(environment);
        const string key = "publish-then-fail-for-good";

        await host.Bus.Publish(new PublishThenFail(key, FailTimes: int.MaxValue, Transient: false));

        await Eventually.Returns(() => Task.FromResult(host.Attempts.Of(key)), n => n >= 1, "the consumer to run");
        await host.WaitUntilQuiet(); // retries and redeliveries done, the message in the error queue
        Assert.Empty(host.Observed.All<Echoed>(e => e.Key == key));

        await using var db = environment.CreateDbContext();
        Assert.Equal(0, await db.Effects.CountAsync(e => e.Key == key));
        Assert.Equal(0, await db.Set<OutboxMessage>().CountAsync());
    }

    [Fact]
    public async Task Should_publish_exactly_once_when_a_retry_succeeds()
    {
        await using var host = await ShopTestHost.Start(environment);
        const string key = "publish-then-fail-twice";

        await host.Bus.Publish(new PublishThenFail(key, FailTimes: 2, Transient: true));

        await host.Observed.WaitFor<Echoed>(e => e.Key == key);
        await host.WaitUntilQuiet();

        Assert.Equal(3, host.Attempts.Of(key));
        Assert.Single(host.Observed.All<Echoed>(e => e.Key == key));
        await using var db = environment.CreateDbContext();
        Assert.Equal(1, await db.Effects.CountAsync(e => e.Key == key));
    }
}
