using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Shop.Messaging.EntityFrameworkCore.Storage;

namespace Shop.Messaging.EntityFrameworkCore.Inbox;

/// <summary>
/// Deletes inbox rows older than the retention window. A redelivery later than that would run the consumer
/// again, so the window must outlast the broker's longest redelivery (days, not minutes).
/// </summary>
public sealed class InboxCleanupService<TDbContext>(
    IServiceScopeFactory scopes,
    IOptions<DurableStoreOptions> options,
    TimeProvider time,
    ILogger<InboxCleanupService<TDbContext>> logger) : BackgroundService
    where TDbContext : DbContext
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.InboxCleanupInterval, time);
        do
        {
            try
            {
                var removed = await RemoveExpired(stoppingToken);
                if (removed > 0)
                    logger.LogInformation("Inbox cleanup removed {Count} rows consumed before the retention window", removed);
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                logger.LogWarning(exception, "Inbox cleanup failed; trying again in {Interval}", options.Value.InboxCleanupInterval);
            }
        }
        while (await WaitForNext(timer, stoppingToken));
    }

    public async Task<int> RemoveExpired(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<TDbContext>();
        var cutoff = time.GetUtcNow().UtcDateTime - options.Value.InboxRetention;
        return await db.Set<InboxState>().Where(x => x.Consumed != null && x.Consumed < cutoff).ExecuteDeleteAsync(cancellationToken);
    }

    static async Task<bool> WaitForNext(PeriodicTimer timer, CancellationToken cancellationToken)
    {
        try
        {
            return await timer.WaitForNextTickAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }
}
