using Microsoft.Extensions.Options;

namespace Shop.Orders.Api.Cleanup;

/// <summary>Runs <see cref="RetentionCleanup"/> at start-up and then every <see cref="CleanupOptions.Interval"/>.</summary>
public sealed class RetentionCleanupService(IServiceScopeFactory scopes, IOptions<CleanupOptions> options, TimeProvider time,
    ILogger<RetentionCleanupService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.Enabled)
            return;

        using var timer = new PeriodicTimer(options.Value.Interval, time);
        do
        {
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                await scope.ServiceProvider.GetRequiredService<RetentionCleanup>().RunOnce(stoppingToken);
            }
            catch (Exception exception) when (!stoppingToken.IsCancellationRequested)
            {
                // The next pass tries again; a database or storage outage must not stop the API.
                logger.LogWarning(exception, "Cleanup pass failed; retrying in {Interval}", options.Value.Interval);
            }
        } while (await timer.WaitForNextTickAsync(stoppingToken));
    }
}
