using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using Shop.Messaging.EntityFrameworkCore.Storage;

namespace Shop.Messaging.EntityFrameworkCore;

/// <summary>
/// Readiness: not ready while more outboxes wait for delivery than <see cref="DurableStoreOptions.ReadyOutboxBacklog"/>
/// (due now, or retrying after a failed send). A service that cannot hand its messages to the broker stops taking new
/// work (its load balancer or compose stops sending it requests) instead of piling up more.
/// </summary>
public sealed class OutboxBacklogHealthCheck<TDbContext>(IServiceScopeFactory scopes, IOptions<DurableStoreOptions> options, TimeProvider time)
    : IHealthCheck
    where TDbContext : DbContext
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var limit = options.Value.ReadyOutboxBacklog;
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<TDbContext>();
        var now = time.GetUtcNow().UtcDateTime;
        // Counting stops one past the limit: the answer is the same, and a huge backlog costs no more to judge.
        var backlog = await db.Set<OutboxMessage>().Where(m => m.DueTime <= now || m.Attempts > 0).Select(m => m.OutboxId).Distinct().Take(limit + 1).CountAsync(cancellationToken);

        var data = new Dictionary<string, object> { ["backlog"] = backlog, ["limit"] = limit };
        return backlog > limit
            ? new HealthCheckResult(context.Registration.FailureStatus, $"more than {limit} outboxes wait for delivery", data: data)
            : HealthCheckResult.Healthy($"{backlog} outbox(es) wait for delivery", data);
    }
}
