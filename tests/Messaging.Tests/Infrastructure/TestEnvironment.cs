using MassTransit;
using Microsoft.EntityFrameworkCore;
using Shop.Messaging.EntityFrameworkCore.Storage;
using Shop.Messaging.Tests.Components;
using Shop.Testing;

namespace Shop.Messaging.Tests.Infrastructure;

/// <summary>The shared integration environment with the test service's schema applied from its checked-in migrations.</summary>
public sealed class TestEnvironment : IntegrationEnvironment
{
    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        await using var db = CreateDbContext();
        await db.Database.MigrateAsync();
    }

    public TestDbContext CreateDbContext() =>
        new(new DbContextOptionsBuilder<TestDbContext>().UseNpgsql(ConnectionString).Options);

    /// <summary>How many effects the consumers recorded under <paramref name="key"/>.</summary>
    public async Task<int> CountEffects(string key)
    {
        await using var db = CreateDbContext();
        return await db.Effects.CountAsync(e => e.Key == key);
    }

    /// <summary>How many deliveries of <paramref name="messageId"/> the inbox saw (0: no row).</summary>
    public async Task<int> ReceiveCount(Guid messageId)
    {
        await using var db = CreateDbContext();
        return await db.Set<InboxState>()
            .Where(x => x.MessageId == messageId).Select(x => x.ReceiveCount).SingleOrDefaultAsync();
    }

    /// <summary>
    /// Writes the inbox row of a new message as an older version could commit it: received, without a consumed time,
    /// which proves no consume. Returns the message's id.
    /// </summary>
    public async Task<Guid> AddUnmarkedInboxRow(Guid consumerId)
    {
        var messageId = NewId.NextGuid();
        await using var db = CreateDbContext();
        db.Add(new InboxState { MessageId = messageId, ConsumerId = consumerId, Received = DateTime.UtcNow, ReceiveCount = 1 });
        await db.SaveChangesAsync();
        return messageId;
    }

    /// <summary>The inbox row of <paramref name="messageId"/>, if there is one (a test class's consumers share no message id).</summary>
    public async Task<InboxState?> InboxRow(Guid messageId)
    {
        await using var db = CreateDbContext();
        return await db.Set<InboxState>().AsNoTracking().SingleOrDefaultAsync(x => x.MessageId == messageId);
    }

    /// <summary>
    /// Writes an effect with the id <paramref name="id"/>, so a consumer's insert of that id fails on the unique key;
    /// a test class's database keeps it from an earlier test.
    /// </summary>
    public async Task TakeEffectId(long id)
    {
        await using var db = CreateDbContext();
        if (await db.Effects.AnyAsync(e => e.Id == id))
            return;
        db.Effects.Add(new Effect { Id = id, Key = "taken", Consumer = "setup" });
        await db.SaveChangesAsync();
    }
}
