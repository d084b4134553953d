using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Shop.Messaging.EntityFrameworkCore.Storage;

namespace Shop.Messaging.EntityFrameworkCore.Delivery;

/// <summary>
/// Counts the undelivered outbox units of one store and the age of the oldest, for the <c>shop.outbox.pending</c>
/// gauges: at most every <see cref="DurableStoreOptions.BacklogInterval"/>, and only while something collects those
/// gauges (two indexed queries, none at all without an exporter). It runs whether or not this process delivers, so a
/// stopped or stuck delivery shows as a growing backlog rather than as silence.
/// </summary>
public sealed class OutboxBacklogMonitor<TDbContext>(
    IServiceScopeFactory scopes,
    DurableStoreMetrics metrics,
    IOptions<DurableStoreOptions> options,
    DatabaseClock<TDbContext> time,
    ILogger<OutboxBacklogMonitor<TDbContext>> logger) : BackgroundService
    where TDbContext : DbContext
{
    static readonly string Store = typeof(TDbContext).Name;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.BacklogInterval);
        do
        {
            if (!metrics.BacklogObserved)
                continue;
            try
            {
                await Count(stoppingToken);
            }
            catch (Exception exception) when (!stoppingToken.IsCancellationRequested)
            {
                // The database being away is for the health checks to report; the gauges keep their last value.
                logger.LogDebug(exception, "Counting the outbox backlog of {Store} failed", Store);
            }
        }
        while (await WaitNext(timer, stoppingToken));
    }

    static async Task<bool> WaitNext(PeriodicTimer timer, CancellationToken stoppingToken)
    {
        try
        {
            return await timer.WaitForNextTickAsync(stoppingToken);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>Undelivered outbox units: due now, or waiting after a failed attempt (future schedules are not backlog).</summary>
    internal async Task Count(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<TDbContext>();
        var now = time.GetUtcNow().UtcDateTime;
        var undelivered = db.Set<OutboxMessage>().Where(m => m.DueTime <= now || m.Attempts > 0);
        var count = await undelivered.Select(m => m.OutboxId).Distinct().CountAsync(cancellationToken);
        var oldest = count == 0 ? null : await undelivered.MinAsync(m => (DateTime?)m.Created, cancellationToken);
        metrics.Backlogged(Store, count, oldest is { } created ? now - created : TimeSpan.Zero);
    }
}
