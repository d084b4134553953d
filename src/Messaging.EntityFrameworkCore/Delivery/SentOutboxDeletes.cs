using System.Threading.Channels;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Shop.Messaging.EntityFrameworkCore.Storage;

namespace Shop.Messaging.EntityFrameworkCore.Delivery;

/// <summary>
/// Deletes the rows of units sent right after their commit, many per statement: under load one short transaction
/// removes what used to take one each. Nothing waits for it. A delete that is lost (a crash, a database outage) only
/// means the unit is sent again when its lease ends, which the receiving inbox absorbs.
/// </summary>
public sealed class SentOutboxDeletes<TDbContext>(IServiceScopeFactory scopes, ILogger<SentOutboxDeletes<TDbContext>> logger)
    : BackgroundService
    where TDbContext : DbContext
{
    const int MaxBatch = 1000;
    static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(1);
    const int Attempts = 3;

    readonly Channel<Guid> _sent = Channel.CreateUnbounded<Guid>(new UnboundedChannelOptions { SingleReader = true });

    public void Add(Guid outboxId) => _sent.Writer.TryWrite(outboxId);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var batch = new List<Guid>(MaxBatch);
        try
        {
            // No lingering for a fuller batch: whatever arrives while one delete runs goes into the next.
            while (await _sent.Reader.WaitToReadAsync(stoppingToken))
                await DeleteAvailable(batch, stoppingToken);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }

        // Stopping: what was sent before the bus stopped is removed now rather than sent again after the lease.
        await DeleteAvailable(batch, CancellationToken.None);
    }

    async Task DeleteAvailable(List<Guid> batch, CancellationToken cancellationToken)
    {
        while (true)
        {
            batch.Clear();
            while (batch.Count < MaxBatch && _sent.Reader.TryRead(out var id))
                batch.Add(id);
            if (batch.Count == 0)
                return;

            for (var attempt = 1; ; attempt++)
            {
                try
                {
                    await Delete(batch, cancellationToken);
                    break;
                }
                catch (Exception exception) when (attempt < Attempts && !cancellationToken.IsCancellationRequested)
                {
                    logger.LogWarning(exception, "Deleting {Count} sent outbox units failed (attempt {Attempt}); retrying", batch.Count, attempt);
                    await Task.Delay(RetryDelay, cancellationToken);
                }
                catch (Exception exception)
                {
                    logger.LogWarning(exception, "Deleting {Count} sent outbox units failed; they are sent again when their lease ends", batch.Count);
                    break;
                }
            }
        }
    }

    async Task Delete(List<Guid> outboxIds, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<TDbContext>();
        await DurableStoreDialect.For(db).DeleteOutboxes(db, outboxIds.ToArray(), cancellationToken);
    }
}
