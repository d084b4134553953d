using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Shop.BlobStorage;

/// <summary>
/// Readiness: the blob storage takes a write and gives it back (a few bytes under <c>health/</c>, removed at once). A
/// read alone would not tell a missing bucket or an unwritable disk from an absent key. The storage is resolved inside
/// the check, so one that cannot even be created (a disk root that is a file) reports unhealthy rather than throwing.
/// </summary>
public sealed class BlobStorageHealthCheck(IServiceProvider services) : IHealthCheck
{
    static readonly string ProbeKey = $"health/{Environment.MachineName}-{Guid.NewGuid():N}";

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            var storage = services.GetRequiredService<IBlobStorage>();
            using (var probe = new MemoryStream("ready"u8.ToArray()))
                await storage.PutAsync(ProbeKey, probe, "text/plain", cancellationToken);
            var found = await storage.ExistsAsync(ProbeKey, cancellationToken);
            await storage.DeleteAsync(ProbeKey, cancellationToken);
            return found
                ? HealthCheckResult.Healthy()
                : new HealthCheckResult(context.Registration.FailureStatus, "a blob just written is not there");
        }
        catch (Exception exception) when (exception is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return new HealthCheckResult(context.Registration.FailureStatus, "blob storage does not take a write", exception);
        }
    }
}
