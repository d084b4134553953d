using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Linq.Expressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Shop.Messaging.EntityFrameworkCore.Sagas;

/// <summary>
/// <c>shop.saga.instances</c>: saga instances per saga type and state, as counted by each
/// <see cref="SagaStateMonitor{TDbContext,TSaga}"/>. A state once seen stays reported (as 0 when empty), so a line in a
/// chart drops to zero instead of vanishing.
/// </summary>
public sealed class SagaStateMetrics
{
    readonly ObservableGauge<long> _instances;
    readonly ConcurrentDictionary<(string Saga, string State), long> _counts = new();

    public SagaStateMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(ShopMessagingDiagnostics.MeterName);
        _instances = meter.CreateObservableGauge("shop.saga.instances", Measure, "{instance}", "Saga instances in the database, by saga type and current state");
    }

    public bool Observed => _instances.Enabled;

    public long? Count(string saga, string state) => _counts.TryGetValue((saga, state), out var count) ? count : null;

    public void Counted(string saga, IReadOnlyDictionary<string, long> byState)
    {
        foreach (var key in _counts.Keys.Where(k => k.Saga == saga && !byState.ContainsKey(k.State)))
            _counts[key] = 0;
        foreach (var (state, count) in byState)
            _counts[(saga, state)] = count;
    }

    IEnumerable<Measurement<long>> Measure() => _counts.Select(pair => new Measurement<long>(pair.Value,
        new KeyValuePair<string, object?>("shop.saga.type", pair.Key.Saga), new KeyValuePair<string, object?>("shop.saga.state", pair.Key.State)));
}

/// <summary>Counts one saga type's instances per state (one GROUP BY), at most every backlog interval and only while collected.</summary>
public sealed class SagaStateMonitor<TDbContext, TSaga>(
    IServiceScopeFactory scopes,
    SagaStateMetrics metrics,
    IOptions<DurableStoreOptions> options,
    Expression<Func<TSaga, string>> state,
    ILogger<SagaStateMonitor<TDbContext, TSaga>> logger) : BackgroundService
    where TDbContext : DbContext
    where TSaga : class
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.BacklogInterval);
        try
        {
            do
            {
                if (!metrics.Observed)
                    continue;
                try
                {
                    await Count(stoppingToken);
                }
                catch (Exception exception) when (!stoppingToken.IsCancellationRequested)
                {
                    logger.LogDebug(exception, "Counting {Saga} instances failed", typeof(TSaga).Name);
                }
            }
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    internal async Task Count(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<TDbContext>();
        var rows = await db.Set<TSaga>().GroupBy(state).Select(g => new { State = g.Key, Count = g.LongCount() }).ToListAsync(cancellationToken);
        metrics.Counted(typeof(TSaga).Name, rows.ToDictionary(r => r.State, r => r.Count));
    }
}

public static class SagaStateMetricsServiceCollectionExtensions
{
    /// <summary>Reports the instances of <typeparamref name="TSaga"/> per <paramref name="state"/> on <c>shop.saga.instances</c>.</summary>
    public static IServiceCollection AddSagaStateMetrics<TDbContext, TSaga>(this IServiceCollection services, Expression<Func<TSaga, string>> state)
        where TDbContext : DbContext
        where TSaga : class
    {
        services.AddMetrics();
        services.TryAddSingleton<SagaStateMetrics>();
        services.AddHostedService(provider => ActivatorUtilities.CreateInstance<SagaStateMonitor<TDbContext, TSaga>>(provider, state));
        return services;
    }
}
