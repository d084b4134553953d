using System.Collections.Concurrent;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Shop.Messaging.EntityFrameworkCore.Storage;

namespace Shop.Messaging.EntityFrameworkCore.Delivery;

/// <summary>
/// Sends what the outbox holds once it is due. Each round locks a batch of due outboxes (skipping those another
/// instance holds), sends their messages in order, deletes what went out and pushes a failed outbox back with an
/// exponential delay. Nothing is dropped; a broker outage costs retries, not messages.
/// </summary>
public sealed class OutboxDeliveryService<TDbContext>(
    IServiceScopeFactory scopes,
    OutboxMessageSender sender,
    OutboxDeliverySignal<TDbContext> signal,
    DurableStoreMetrics metrics,
    IOptions<DurableStoreOptions> options,
    DatabaseClock<TDbContext> time,
    ILogger<OutboxDeliveryService<TDbContext>> logger) : BackgroundService
    where TDbContext : DbContext
{
    readonly DurableStoreOptions _options = options.Value;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            TimeSpan wait;
            try
            {
                var round = await DeliverDue(stoppingToken);

                if (round.BatchWasFull)
                    continue;

                wait = _options.PollInterval;
                if (round.NextDue is { } next)
                {
                    var untilDue = next - time.GetUtcNow().UtcDateTime;
                    wait = untilDue < TimeSpan.Zero ? TimeSpan.Zero : untilDue < wait ? untilDue : wait;
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception exception)
            {
                logger.LogError(exception, "Outbox delivery round failed; next attempt in {Delay}", _options.PollInterval);
                wait = _options.PollInterval;
            }

            try
            {
                if (wait > TimeSpan.Zero)
                    await signal.Wait(wait, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
    }

    internal readonly record struct Round(bool BatchWasFull, DateTime? NextDue);

    internal async Task<Round> DeliverDue(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<TDbContext>();
        var dialect = DurableStoreDialect.For(db);
        var now = time.GetUtcNow().UtcDateTime;

        // Most rounds find nothing due (units are sent by their writers, schedules wait for their time): one statement
        // without a transaction says so, where a locking round took a transaction and three round trips.
        var earliest = await db.Set<OutboxMessage>().MinAsync(m => (DateTime?)m.DueTime, cancellationToken);
        if (earliest is null || earliest > now)
            return new Round(false, earliest);

        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);

        // A unit is claimed by locking its first remaining row: every instance looks only at first rows, so no two take
        // parts of one unit. The only text spliced in is the table name from our own model; the values are parameters.
        var table = dialect.TableName<OutboxMessage>(db);
        var firstRowsDue =
            $"SELECT * FROM {table} m WHERE m.due_time <= {{0}} AND NOT EXISTS (SELECT 1 FROM {table} e " +
            $"WHERE e.outbox_id = m.outbox_id AND e.sequence_number < m.sequence_number) ORDER BY m.due_time LIMIT {{1}}{dialect.SkipLockedSuffix}";
        var due = await db.Set<OutboxMessage>().FromSqlRaw(firstRowsDue, now, _options.BatchSize).AsNoTracking().ToListAsync(cancellationToken);

        if (due.Count == 0)
        {
            await transaction.CommitAsync(cancellationToken);
            var next = await db.Set<OutboxMessage>().MinAsync(m => (DateTime?)m.DueTime, cancellationToken);
            return new Round(false, next);
        }

        var ids = due.Select(m => m.OutboxId).ToList();
        var messages = (await db.Set<OutboxMessage>().AsNoTracking().Where(m => ids.Contains(m.OutboxId))
                .OrderBy(m => m.SequenceNumber).ToListAsync(cancellationToken))
            .ToLookup(m => m.OutboxId);

        var outcomes = new ConcurrentDictionary<Guid, (int Sent, Exception? Error)>();
        await Parallel.ForEachAsync(due,
            new ParallelOptions { MaxDegreeOfParallelism = _options.DeliveryConcurrency, CancellationToken = cancellationToken },
            async (first, token) => outcomes[first.OutboxId] = await sender.Send(messages[first.OutboxId], token));

        var deliveredIds = new List<Guid>();
        foreach (var first in due)
        {
            var outboxId = first.OutboxId;
            var (sent, error) = outcomes[outboxId];
            if (error is null)
            {
                deliveredIds.Add(outboxId);
                metrics.Delivered(sent, now - first.DueTime);
                continue;
            }

            if (sent > 0)
            {
                var firstUnsent = messages[outboxId].ElementAt(sent).SequenceNumber;
                await db.Set<OutboxMessage>().Where(m => m.OutboxId == outboxId && m.SequenceNumber < firstUnsent)
                    .ExecuteDeleteAsync(cancellationToken);
            }

            var attempts = first.Attempts + 1;
            var dueTime = now + RetryDelay(attempts);
            var lastError = Truncate($"{error.GetType().Name}: {error.Message}", 2000);
            await db.Set<OutboxMessage>().Where(m => m.OutboxId == outboxId)
                .ExecuteUpdateAsync(m => m
                    .SetProperty(x => x.Attempts, attempts)
                    .SetProperty(x => x.DueTime, dueTime)
                    .SetProperty(x => x.LastError, lastError), cancellationToken);
            metrics.DeliveryFailed();
            logger.LogWarning(error, "Outbox {OutboxId} not delivered (attempt {Attempts}); next attempt at {DueTime}",
                outboxId, attempts, dueTime);
        }

        if (deliveredIds.Count > 0)
            await db.Set<OutboxMessage>().Where(m => deliveredIds.Contains(m.OutboxId)).ExecuteDeleteAsync(cancellationToken);

        await transaction.CommitAsync(cancellationToken);

        return new Round(due.Count == _options.BatchSize, null);
    }

    TimeSpan RetryDelay(int attempts)
    {
        var exponent = Math.Min(attempts - 1, 20);
        var delay = _options.MinRetryDelay * Math.Pow(2, exponent);
        if (delay > _options.MaxRetryDelay)
            delay = _options.MaxRetryDelay;

        // Jitter spreads instances that failed together so they do not retry in lockstep.
        return delay * (0.8 + Random.Shared.NextDouble() * 0.4);
    }

    static string Truncate(string value, int length) => value.Length <= length ? value : value[..length];
}
