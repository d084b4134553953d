using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Shop.Messaging.EntityFrameworkCore.Storage;

/// <summary>
/// The time of the store's database, as the durable store's writers and delivery instances must all agree on it:
/// an after-commit lease stamped by one process is judged by another, and two machines' clocks may differ by more
/// than the lease. The offset to the database's clock is measured at start and once a minute; in between it is the
/// local clock plus that offset. (SQLite is a file on this machine: its clock is ours.)
/// </summary>
public sealed class DatabaseClock<TDbContext>(
    IServiceScopeFactory scopes,
    TimeProvider local,
    ILogger<DatabaseClock<TDbContext>> logger) : TimeProvider, IHostedService, IDisposable
    where TDbContext : DbContext
{
    static readonly TimeSpan Interval = TimeSpan.FromMinutes(1);

    long _offsetTicks;
    ITimer? _timer;

    /// <summary>Database time minus local time, as last measured.</summary>
    public TimeSpan Offset => TimeSpan.FromTicks(Interlocked.Read(ref _offsetTicks));

    public override DateTimeOffset GetUtcNow() => local.GetUtcNow() + Offset;

    public override long GetTimestamp() => local.GetTimestamp();

    public override long TimestampFrequency => local.TimestampFrequency;

    public override TimeZoneInfo LocalTimeZone => local.LocalTimeZone;

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period) =>
        local.CreateTimer(callback, state, dueTime, period);

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await Synchronize(cancellationToken);
        _timer = local.CreateTimer(_ => _ = Synchronize(CancellationToken.None), null, Interval, Interval);
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        _timer?.Dispose();
        return Task.CompletedTask;
    }

    public void Dispose() => _timer?.Dispose();

    /// <summary>Measures the offset; a failure keeps the last one (the database may be down for a moment).</summary>
    public async Task Synchronize(CancellationToken cancellationToken)
    {
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<TDbContext>();
            if (DurableStoreDialect.For(db) != DurableStoreDialect.PostgreSql)
                return;

            await db.Database.OpenConnectionAsync(cancellationToken);
            await using var command = db.CreateCommand("SELECT clock_timestamp()");
            var before = local.GetUtcNow();
            var started = Stopwatch.GetTimestamp();
            var databaseTime = (DateTime)(await command.ExecuteScalarAsync(cancellationToken))!;
            var roundTrip = Stopwatch.GetElapsedTime(started);

            // The database read its clock somewhere in the round trip; the middle is the best guess.
            var offset = DateTime.SpecifyKind(databaseTime, DateTimeKind.Utc) - (before + roundTrip / 2).UtcDateTime;
            Interlocked.Exchange(ref _offsetTicks, offset.Ticks);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            logger.LogWarning(exception, "Could not read the database's clock; keeping the offset {Offset}", Offset);
        }
    }
}
