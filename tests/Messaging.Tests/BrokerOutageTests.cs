using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Shop.Messaging.EntityFrameworkCore.Storage;
using Shop.Messaging.Tests.Components;
using Shop.Messaging.Tests.Infrastructure;
using Shop.Testing;
using Xunit;

namespace Shop.Messaging.Tests;

/// <summary>Stopping the broker affects every test, so this collection runs alone.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class BrokerOutageCollection
{
    public const string Name = "broker outage";
}

[Collection(BrokerOutageCollection.Name)]
public sealed class When_the_broker_is_down_while_requests_publish(TestEnvironment environment) : IClassFixture<TestEnvironment>
{
    [Fact]
    public async Task Should_keep_the_messages_in_the_outbox_and_deliver_them_all_once_it_is_back()
    {
        await using var host = await ShopTestHost.Start(environment);
        const int count = 20;

        await RabbitMqCtl.Run("stop_app");
        try
        {
            for (var i = 0; i < count; i++)
            {
                var key = $"outage-{i}";
                await host.InScope(async services =>
                {
                    await services.GetRequiredService<IPublishEndpoint>().Publish(new Ping(key));
                    await services.GetRequiredService<TestDbContext>().SaveChangesAsync();
                });
            }

            // Every request's own send after its commit fails against the stopped broker and hands its unit to the
            // delivery service (its lease ends at once); the rows must all still be there.
            await Eventually.Returns(async () =>
            {
                await using var db = environment.CreateDbContext();
                var now = DateTime.UtcNow;
                return await db.Set<OutboxMessage>().CountAsync(m => m.Attempts > 0 || m.DueTime <= now);
            }, n => n == count, "every unit's send to have failed and been handed over", TimeSpan.FromSeconds(60));
            await using var waiting = environment.CreateDbContext();
            Assert.Equal(count, await waiting.Set<OutboxMessage>().CountAsync());
            Assert.Empty(host.Observed.All<Ping>());
        }
        finally
        {
            await RabbitMqCtl.Run("start_app");
        }

        await host.Observed.WaitFor<Ping>(p => p.Key.StartsWith("outage-"), count, TimeSpan.FromSeconds(60));
        await host.WaitUntilQuiet();
        var received = host.Observed.All<Ping>().Select(p => p.Key).ToList();
        Assert.Equal(count, received.Distinct().Count());
        Assert.Equal(count, received.Count);
    }
}
