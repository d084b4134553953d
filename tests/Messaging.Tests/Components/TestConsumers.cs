using MassTransit;
using Shop.Testing;
using Microsoft.EntityFrameworkCore;
using Shop.Messaging.EntityFrameworkCore;
using Shop.Messaging.EntityFrameworkCore.Storage;
using Shop.Messaging.Tests.Infrastructure;

namespace Shop.Messaging.Tests.Components;

public sealed record RecordEffect(string Key);
public sealed record PublishThenFail(string Key, int FailTimes, bool Transient);
public sealed record Echoed(string Key);
public sealed record FlakyWork(string Key, int FailTimes);
public sealed record DoomedWork(string Key);
public sealed record BrokenWork(string Key);
public sealed record Ping(string Key);
public sealed record SchedulePing(string Key, TimeSpan Delay);
public sealed record RecordAtCommit(string Key, int FailTimes = 0, bool Broken = false);
public sealed record RecordOutside(string Key, int Together = 1);
public sealed record RecordKeyedAtCommit(string Key, bool WriteFirst = false);

/// <summary>Writes one business row per run: the row count is the number of times it really ran.</summary>
public sealed class RecordEffectConsumer(TestDbContext db, Attempts attempts) : IConsumer<RecordEffect>
{
    public Task Consume(ConsumeContext<RecordEffect> context)
    {
        attempts.Next(context.Message.Key);
        db.Effects.Add(new Effect { Key = context.Message.Key, Consumer = nameof(RecordEffectConsumer) });
        return Task.CompletedTask;
    }
}

/// <summary>
/// Writes a row and publishes <see cref="Echoed"/>, both in its transaction, and nothing else: its inbox claim goes
/// with the commit. Fails transiently for its first <see cref="RecordAtCommit.FailTimes"/> attempts; a broken one
/// always fails, with an error no retry helps.
/// </summary>
[ClaimAtCommit]
public sealed class RecordAtCommitConsumer(TestDbContext db, Attempts attempts) : IConsumer<RecordAtCommit>
{
    public async Task Consume(ConsumeContext<RecordAtCommit> context)
    {
        var attempt = attempts.Next(context.Message.Key);
        db.Effects.Add(new Effect { Key = context.Message.Key, Consumer = nameof(RecordAtCommitConsumer) });
        await context.Publish(new Echoed(context.Message.Key));
        if (context.Message.Broken)
            throw new InvalidOperationException($"attempt {attempt} is broken on purpose");
        if (attempt <= context.Message.FailTimes)
            throw new TransientException($"attempt {attempt} fails on purpose");
    }
}

/// <summary>
/// Writes a row whose key it makes and publishes <see cref="Echoed"/>: its last batch reads nothing back, so its
/// commit can join a group (<see cref="GroupCommit"/>). With <see cref="RecordKeyedAtCommit.WriteFirst"/> it first
/// writes a row of its own by SQL, which sends its transaction's <c>BEGIN</c> early: that row must commit with the rest.
/// </summary>
[ClaimAtCommit]
public sealed class RecordKeyedAtCommitConsumer(TestDbContext db) : IConsumer<RecordKeyedAtCommit>
{
    public async Task Consume(ConsumeContext<RecordKeyedAtCommit> context)
    {
        var key = context.Message.Key;
        if (context.Message.WriteFirst)
            await db.Database.ExecuteSqlAsync($"INSERT INTO keyed_effects (id, key) VALUES ({NewId.NextGuid()}, {key + "-first"})");
        db.KeyedEffects.Add(new KeyedEffect { Id = NewId.NextGuid(), Key = key });
        await context.Publish(new Echoed(key));
    }
}

/// <summary>
/// Runs outside a transaction and leaves a row and an <see cref="Echoed"/> to the store's one commit after it. With
/// <see cref="RecordOutside.Together"/> above one, each run waits (up to 10 s) until that many runs of the key have
/// started, so copies of one message all reach that commit together.
/// </summary>
[ConsumesOutsideTransaction]
public sealed class RecordOutsideConsumer(TestDbContext db, Attempts attempts) : IConsumer<RecordOutside>
{
    public async Task Consume(ConsumeContext<RecordOutside> context)
    {
        attempts.Next(context.Message.Key);
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (attempts.Of(context.Message.Key) < context.Message.Together && DateTime.UtcNow < deadline)
            await Task.Delay(10, context.CancellationToken);
        db.Effects.Add(new Effect { Key = context.Message.Key, Consumer = nameof(RecordOutsideConsumer) });
        await context.Publish(new Echoed(context.Message.Key));
    }
}

public sealed class PublishThenFailConsumer(TestDbContext db, Attempts attempts) : IConsumer<PublishThenFail>
{
    public async Task Consume(ConsumeContext<PublishThenFail> context)
    {
        var attempt = attempts.Next(context.Message.Key);
        await context.Publish(new Echoed(context.Message.Key));
        db.Effects.Add(new Effect { Key = context.Message.Key, Consumer = nameof(PublishThenFailConsumer) });

        if (attempt <= context.Message.FailTimes)
        {
            throw context.Message.Transient
                ? new TransientException($"attempt {attempt} fails on purpose")
                : new InvalidOperationException($"attempt {attempt} fails on purpose");
        }
    }
}

public sealed class FlakyWorkConsumer(TestDbContext db, Attempts attempts) : IConsumer<FlakyWork>
{
    public Task Consume(ConsumeContext<FlakyWork> context)
    {
        var attempt = attempts.Next(context.Message.Key);
        if (attempt <= context.Message.FailTimes)
            throw new TimeoutException($"attempt {attempt} times out on purpose");

        db.Effects.Add(new Effect { Key = context.Message.Key, Consumer = nameof(FlakyWorkConsumer) });
        return Task.CompletedTask;
    }
}

public sealed class DoomedWorkConsumer(Attempts attempts) : IConsumer<DoomedWork>
{
    public Task Consume(ConsumeContext<DoomedWork> context)
    {
        var attempt = attempts.Next(context.Message.Key);
        throw new TransientException($"attempt {attempt}: the downstream service is still down");
    }
}

public sealed class BrokenWorkConsumer(Attempts attempts) : IConsumer<BrokenWork>
{
    public Task Consume(ConsumeContext<BrokenWork> context)
    {
        attempts.Next(context.Message.Key);
        throw new InvalidOperationException("a bug, not an outage: retrying cannot help");
    }
}

public sealed class SchedulePingConsumer : IConsumer<SchedulePing>
{
    public Task Consume(ConsumeContext<SchedulePing> context) =>
        context.SchedulePublish(context.Message.Delay, new Ping(context.Message.Key));
}

// Named: tests send to ping-observer (the scheduler's destination).
public sealed class PingObserver(MessageLog log) : ObserverConsumer<Ping>(log);

public sealed record SaveFailsThenCarryOn(string Key, long TakenEffectId);

/// <summary>
/// Publishes, fails to save (the effect's id is taken), forgets what it tracked and carries on with a second publish:
/// the first was never written, so it must never be sent.
/// </summary>
public sealed class SaveFailsThenCarryOnConsumer(TestDbContext db) : IConsumer<SaveFailsThenCarryOn>
{
    public async Task Consume(ConsumeContext<SaveFailsThenCarryOn> context)
    {
        await context.Publish(new Echoed(context.Message.Key + "-before-the-failure"));
        db.Effects.Add(new Effect { Id = context.Message.TakenEffectId, Key = context.Message.Key, Consumer = nameof(SaveFailsThenCarryOnConsumer) });

        // The consumer's transaction survives the failure only behind a savepoint (PostgreSQL dooms it otherwise).
        var transaction = db.Database.CurrentTransaction!;
        await transaction.CreateSavepointAsync("before_save", context.CancellationToken);
        try
        {
            await db.SaveChangesAsync(context.CancellationToken);
        }
        catch (Microsoft.EntityFrameworkCore.DbUpdateException)
        {
            await transaction.RollbackToSavepointAsync("before_save", context.CancellationToken);
            db.ChangeTracker.Clear();
        }

        await context.Publish(new Echoed(context.Message.Key + "-after-the-failure"));
    }
}

public sealed record PublishThenWork(string Key, TimeSpan Work);

/// <summary>Publishes first and then works for a while inside its transaction, as a consumer calling a slow service would.</summary>
public sealed class PublishThenWorkConsumer(TestDbContext db) : IConsumer<PublishThenWork>
{
    public async Task Consume(ConsumeContext<PublishThenWork> context)
    {
        await context.Publish(new Echoed(context.Message.Key));
        await db.SaveChangesAsync(context.CancellationToken);
        await Task.Delay(context.Message.Work, context.CancellationToken);
        db.Effects.Add(new Effect { Key = context.Message.Key, Consumer = nameof(PublishThenWorkConsumer) });
    }
}

public sealed record HoldTransaction(string Key, double Seconds);

/// <summary>Keeps its transaction (and its connection) busy for a while, as a consumer doing real work would.</summary>
public sealed class HoldTransactionConsumer(TestDbContext db) : IConsumer<HoldTransaction>
{
    public async Task Consume(ConsumeContext<HoldTransaction> context)
    {
        db.Effects.Add(new Effect { Key = context.Message.Key, Consumer = nameof(HoldTransactionConsumer) });
        await db.Database.ExecuteSqlAsync($"SELECT pg_sleep({context.Message.Seconds})", context.CancellationToken);
    }
}
