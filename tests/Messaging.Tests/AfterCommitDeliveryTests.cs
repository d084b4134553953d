using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Shop.Messaging.EntityFrameworkCore.Delivery;
using Shop.Messaging.EntityFrameworkCore.Storage;
using Shop.Messaging.Tests.Components;
using Shop.Messaging.Tests.Infrastructure;
using Shop.Testing;
using Xunit;

namespace Shop.Messaging.Tests;

/// <summary>
/// Delivery right after a commit competes with the delivery service for the same rows; each unit must still go out
/// once, in order, and stay in the table until it has.
/// </summary>
public sealed class When_committed_messages_are_sent_right_after_the_commit(TestEnvironment environment) : IClassFixture<TestEnvironment>
{
    // Only delivery right after the commit sends anything here.
    static readonly Dictionary<string, string?> NoDeliveryService = new()
    {
        ["Messaging:DurableStore:DeliveryEnabled"] = "false",
        ["Messaging:DurableStore:DeliverAfterCommit"] = "true"
    };

    // Rows are written here and handed over by the test itself, so nothing else delivers them behind its back.
    static readonly Dictionary<string, string?> NothingDelivers = new()
    {
        ["Messaging:DurableStore:DeliveryEnabled"] = "false",
        ["Messaging:DurableStore:DeliverAfterCommit"] = "false"
    };

    [Fact]
    public async Task Should_send_a_consumers_messages_without_the_delivery_service()
    {
        await using var host = await ShopTestHost.Start(environment, NoDeliveryService);
        const string key = "after-commit";

        await host.Bus.Publish(new PublishThenFail(key, FailTimes: 0, Transient: false));

        await host.Observed.WaitFor<Echoed>(e => e.Key == key, timeout: TimeSpan.FromSeconds(10));
        await using var db = environment.CreateDbContext();
        Assert.Equal(1, await db.Effects.CountAsync(e => e.Key == key && e.Consumer == nameof(PublishThenFailConsumer)));
        // The unit's delete commits just after the send, so it may trail the message's arrival by a moment.
        await Eventually.Returns(() => db.Set<OutboxMessage>().CountAsync(m => m.Body.Contains(key)), n => n == 0,
            "the sent unit to be removed from the outbox");
    }

    [Fact]
    public async Task Should_send_a_requests_messages_without_the_delivery_service()
    {
        await using var host = await ShopTestHost.Start(environment, NoDeliveryService);
        const string key = "request-after-commit";

        await host.InScope(async services =>
        {
            var db = services.GetRequiredService<TestDbContext>();
            await using var transaction = await db.Database.BeginTransactionAsync();
            await services.GetRequiredService<IPublishEndpoint>().Publish(new Ping(key));
            await db.SaveChangesAsync();
            await transaction.CommitAsync();
        });

        await host.Observed.WaitFor<Ping>(p => p.Key == key, timeout: TimeSpan.FromSeconds(10));
        await using var db = environment.CreateDbContext();
        await Eventually.Returns(() => db.Set<OutboxMessage>().CountAsync(m => m.Body.Contains(key)), n => n == 0,
            "the sent unit to be removed from the outbox");
        await Task.Delay(TimeSpan.FromSeconds(1));
        Assert.Single(host.Observed.All<Ping>(p => p.Key == key));
    }

    [Fact]
    public async Task Should_send_a_unit_once_and_leave_one_that_is_gone_alone()
    {
        await using var host = await ShopTestHost.Start(environment, NothingDelivers);
        var unit = await CommitPing(host, "sent-once");
        var delivery = host.Services.GetRequiredService<AfterCommitDelivery>();

        await using (var scope = host.Services.CreateAsyncScope())
            Assert.True(await delivery.Deliver(scope.ServiceProvider.GetRequiredService<TestDbContext>(), [unit], CancellationToken.None));
        await host.Observed.WaitFor<Ping>(p => p.Key == "sent-once", timeout: TimeSpan.FromSeconds(10));

        // The same unit again, as if a delivery round had sent it first: the row is gone, so nothing goes out twice.
        await using (var scope = host.Services.CreateAsyncScope())
            Assert.True(await delivery.Deliver(scope.ServiceProvider.GetRequiredService<TestDbContext>(), [unit], CancellationToken.None));
        await Task.Delay(TimeSpan.FromSeconds(1));

        Assert.Single(host.Observed.All<Ping>(p => p.Key == "sent-once"));
        await using var db = environment.CreateDbContext();
        Assert.Equal(0, await db.Set<OutboxState>().CountAsync(s => s.OutboxId == unit.OutboxId));
    }

    [Fact]
    public async Task Should_wait_for_a_delivery_round_that_holds_the_unit_and_not_send_it_again()
    {
        await using var host = await ShopTestHost.Start(environment, NothingDelivers);
        var unit = await CommitPing(host, "held-by-a-round");

        // A delivery round's lock, taken as the delivery service takes it.
        await using var round = new NpgsqlConnection(environment.ConnectionString);
        await round.OpenAsync();
        await using var roundTransaction = await round.BeginTransactionAsync();
        await using (var select = new NpgsqlCommand("SELECT outbox_id FROM outbox_state WHERE outbox_id = $1 FOR UPDATE SKIP LOCKED", round, roundTransaction)
                     { Parameters = { new() { Value = unit.OutboxId } } })
            Assert.NotNull(await select.ExecuteScalarAsync());

        await using var scope = host.Services.CreateAsyncScope();
        var deliver = host.Services.GetRequiredService<AfterCommitDelivery>()
            .Deliver(scope.ServiceProvider.GetRequiredService<TestDbContext>(), [unit], CancellationToken.None);
        await Task.Delay(TimeSpan.FromSeconds(1));
        Assert.False(deliver.IsCompleted, "delivery after commit did not wait for the round's lock");

        // The round sends the unit and deletes it.
        await using (var delete = new NpgsqlCommand("DELETE FROM outbox_state WHERE outbox_id = $1", round, roundTransaction)
                     { Parameters = { new() { Value = unit.OutboxId } } })
            await delete.ExecuteNonQueryAsync();
        await roundTransaction.CommitAsync();

        Assert.True(await deliver.WaitAsync(TimeSpan.FromSeconds(10)));
        await Eventually.StaysZero(() => Task.FromResult(host.Observed.All<Ping>(p => p.Key == "held-by-a-round").Count), TimeSpan.FromSeconds(1.5),
            "Ping sent after commit although a delivery round had taken it");
    }

    [Fact]
    public async Task Should_keep_a_unit_whose_send_fails_for_the_delivery_service()
    {
        await using var host = await ShopTestHost.Start(environment, NothingDelivers);
        var unit = await CommitPing(host, "send-fails");
        unit.Messages[0].DestinationAddress = null;

        await using (var scope = host.Services.CreateAsyncScope())
            Assert.False(await host.Services.GetRequiredService<AfterCommitDelivery>()
                .Deliver(scope.ServiceProvider.GetRequiredService<TestDbContext>(), [unit], CancellationToken.None));

        await using var db = environment.CreateDbContext();
        Assert.Equal(1, await db.Set<OutboxState>().CountAsync(s => s.OutboxId == unit.OutboxId));
        Assert.Equal(1, await db.Set<OutboxMessage>().CountAsync(m => m.OutboxId == unit.OutboxId));
    }

    /// <summary>A Ping committed through the bus outbox, and its unit as the writing process still has it in memory.</summary>
    static async Task<OutboxState> CommitPing(ShopTestHost host, string key)
    {
        OutboxState? unit = null;
        await host.InScope(async services =>
        {
            var db = services.GetRequiredService<TestDbContext>();
            await services.GetRequiredService<IPublishEndpoint>().Publish(new Ping(key));
            unit = db.ChangeTracker.Entries<OutboxState>().Single(e => e.State == EntityState.Added).Entity;
            await db.SaveChangesAsync();
        });
        return unit!;
    }
}
