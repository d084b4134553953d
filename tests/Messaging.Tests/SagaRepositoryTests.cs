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
