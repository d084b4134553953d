using MassTransit;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using Shop.Messaging.Tests.Components;
using Shop.Messaging.Tests.Infrastructure;
using Shop.Testing;
using Xunit;

namespace Shop.Messaging.Tests;

/// <summary>
/// More consumers may run at once than the connection pool has connections (every endpoint's concurrency limit adds
/// up): they must queue for a slot in the store, not time out waiting for a connection.
/// </summary>
public sealed class When_consumers_outnumber_the_connection_pool(TestEnvironment environment) : IClassFixture<TestEnvironment>
{
    [Fact]
    public async Task Should_consume_everything_at_the_first_attempt_without_a_pool_timeout()
    {
        // 64 concurrent consumers, 10 connections, and a pool that gives up after two seconds of waiting.
        var pool = new NpgsqlConnectionStringBuilder(environment.ConnectionString) { MaxPoolSize = 10, Timeout = 2 }.ConnectionString;
        await using var host = await ShopTestHost.Start(environment, new Dictionary<string, string?>
        {
            ["Messaging:PrefetchCount"] = "64",
            ["Messaging:Retry:ImmediateLimit"] = "0",
            ["Messaging:Retry:RedeliveryEnabled"] = "false",
        }, x => x.AddConsumer<HoldTransactionConsumer>(), o => o.UseNpgsql(pool));

        const int count = 120;
        await Task.WhenAll(Enumerable.Range(0, count).Select(i => host.Bus.Publish(new HoldTransaction($"pool-{i}", 0.3))));

        await Eventually.Returns(async () =>
        {
            await using var db = environment.CreateDbContext();
            return await db.Effects.CountAsync(e => e.Consumer == nameof(HoldTransactionConsumer));
        }, n => n >= count, "every message to be consumed", TimeSpan.FromMinutes(2));
        await host.WaitUntilQuiet();

        Assert.Empty(await environment.Queues.Take("hold-transaction_error"));
        await using var check = environment.CreateDbContext();
        Assert.Equal(count, await check.Effects.CountAsync(e => e.Consumer == nameof(HoldTransactionConsumer)));
    }
}
