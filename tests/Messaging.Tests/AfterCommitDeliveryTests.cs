using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.Extensions.DependencyInjection;
using Shop.Messaging.EntityFrameworkCore.Delivery;
using Shop.Messaging.EntityFrameworkCore.Storage;
using Shop.Messaging.Tests.Components;
using Shop.Messaging.Tests.Infrastructure;
using Shop.Testing;
using Xunit;

namespace Shop.Messaging.Tests;

/// <summary>
/// Delivery right after a commit and the delivery service share the same rows: the writer's lease keeps them apart,
/// a unit stays in the table until it has gone out, and nothing is left behind when the writer fails or dies.
/// </summary>
public sealed class When_committed_messages_are_sent_right_after_the_commit(TestEnvironment environment) : IClassFixture<TestEnvironment>
{
    // Only delivery right after the commit sends anything here.
    static readonly Dictionary<string, string?> NoDeliveryService = new()
    {
        ["Messaging:DurableStore:DeliveryEnabled"] = "false",
        ["Messaging:DurableStore:DeliverAfterCommit"] = "true"
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
        await host.WaitUntilQuiet();
        Assert.Single(host.Observed.All<Ping>(p => p.Key == key));
    }

    [Fact]
    public async Task Should_leave_a_just_written_unit_to_its_writer_until_its_lease_ends()
    {
        await using var host = await ShopTestHost.Start(environment, new Dictionary<string, string?>
        {
            ["Messaging:DurableStore:DeliveryEnabled"] = "true",
            ["Messaging:DurableStore:DeliverAfterCommit"] = "true",
            ["Messaging:DurableStore:AfterCommitLease"] = "00:00:05"
        });

        // The writer dies right after its commit: the delivery service must not send the unit while the lease runs
        // (the writer could still be sending it), and must send it once the lease is over. The commit wakes the delivery
        // service at once, so a service that ignored the lease would send within moments; when the Ping arrived shows
        // whether it waited (its time is taken as it arrives, not when the test looks).
        var committing = DateTime.UtcNow;
        var unit = await CommitPingWithoutTheWriterKnowing(host, "writer-died");
        Assert.True(unit.DueTime - committing >= TimeSpan.FromSeconds(4), $"the unit is due {unit.DueTime - committing} after its commit, not after the lease");

        var ping = Assert.Single(await host.Observed.WaitForReceived<Ping>(p => p.Key == "writer-died", timeout: TimeSpan.FromSeconds(30)));
        Assert.True(ping.At >= unit.DueTime - TimeSpan.FromSeconds(1), $"sent {unit.DueTime - ping.At} before its writer's lease ended");

        await using var db = environment.CreateDbContext();
        await Eventually.Returns(() => db.Set<OutboxMessage>().CountAsync(m => m.OutboxId == unit.OutboxId), n => n == 0,
            "the unit to be removed once the delivery service sent it");
        Assert.Single(host.Observed.All<Ping>(p => p.Key == "writer-died"));
    }

    [Fact]
    public async Task Should_hand_a_unit_whose_send_fails_to_the_delivery_service_at_once()
    {
        // The default lease (30 s) is far longer than the test waits: only the hand-over explains a prompt delivery.
        await using var host = await ShopTestHost.Start(environment, new Dictionary<string, string?>
        {
            ["Messaging:DurableStore:DeliveryEnabled"] = "true",
            ["Messaging:DurableStore:DeliverAfterCommit"] = "true"
        });
        var unit = await CommitPingWithoutTheWriterKnowing(host, "send-fails");
        var destination = unit.Messages[0].DestinationAddress;
        unit.Messages[0].DestinationAddress = null;

        Assert.False(await host.Services.GetRequiredService<AfterCommitDelivery<TestDbContext>>().Deliver([unit], CancellationToken.None));

        // The stored row still has its destination; the in-memory copy only made the writer's own send fail.
        Assert.NotNull(destination);
        await host.Observed.WaitFor<Ping>(p => p.Key == "send-fails", timeout: TimeSpan.FromSeconds(10));
        await using var db = environment.CreateDbContext();
        await Eventually.Returns(() => db.Set<OutboxMessage>().CountAsync(m => m.OutboxId == unit.OutboxId), n => n == 0,
            "the unit to be removed once the delivery service sent it");
    }

    [Fact]
    public async Task Should_send_several_units_and_delete_them_all()
    {
        await using var host = await ShopTestHost.Start(environment, NoDeliveryService);
        var first = await CommitPingWithoutTheWriterKnowing(host, "ordered-1");
        var second = await CommitPingWithoutTheWriterKnowing(host, "ordered-2");

        Assert.True(await host.Services.GetRequiredService<AfterCommitDelivery<TestDbContext>>().Deliver([first, second], CancellationToken.None));

        // Sent in order, but consumed concurrently: either may arrive first.
        await host.Observed.WaitFor<Ping>(p => p.Key == "ordered-1", timeout: TimeSpan.FromSeconds(10));
        await host.Observed.WaitFor<Ping>(p => p.Key == "ordered-2", timeout: TimeSpan.FromSeconds(10));
        await using var db = environment.CreateDbContext();
        await Eventually.Returns(() => db.Set<OutboxMessage>().CountAsync(m => m.OutboxId == first.OutboxId || m.OutboxId == second.OutboxId),
            n => n == 0, "both sent units to be removed");
    }

    /// <summary>
    /// A Ping committed through the bus outbox with after-commit delivery on, as if the writer died right after its
    /// commit: the database transaction commits, EF Core (and so the outbox's interceptor) never hears of it. Returns
    /// the unit as the writer had it in memory.
    /// </summary>
    static async Task<OutboxUnit> CommitPingWithoutTheWriterKnowing(ShopTestHost host, string key)
    {
        OutboxUnit? unit = null;
        await host.InScope(async services =>
        {
            var db = services.GetRequiredService<TestDbContext>();
            await using var transaction = await db.Database.BeginTransactionAsync();
            await services.GetRequiredService<IPublishEndpoint>().Publish(new Ping(key));
            unit = db.ChangeTracker.Entries<OutboxMessage>().Single(e => e.State == EntityState.Added).Entity.Unit;
            await db.SaveChangesAsync();
            await transaction.GetDbTransaction().CommitAsync();
        });
        return unit!;
    }
}
