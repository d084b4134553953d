using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Shop.Messaging.EntityFrameworkCore.Storage;

namespace Shop.Messaging.EntityFrameworkCore.Outbox;

/// <summary>
/// Bounds how many consumers of one database hold a transaction (and so a pooled connection) at once. Every receive
/// endpoint has its own concurrency limit, and their sum easily passes the connection pool's size (seven endpoints
/// at 32 against Npgsql's 100): consumers past the pool would wait for a connection and time out. Here they wait for
/// a slot instead, and a share of the pool stays free for requests, the delivery service and the scheduler.
/// </summary>
public sealed class ConsumerTransactionGate<TDbContext>(IOptions<DurableStoreOptions> options)
    where TDbContext : DbContext
{
    const int NpgsqlDefaultPoolSize = 100;

    readonly Lock _lock = new();
    SemaphoreSlim? _slots;
    bool _sized;

    /// <summary>The slots, once sized from the first context's connection string; null when nothing needs bounding.</summary>
    public int? Slots { get; private set; }

    public async ValueTask<Slot> Enter(DbContext db, CancellationToken cancellationToken)
    {
        var slots = Size(db);
        if (slots is null)
            return default;

        await slots.WaitAsync(cancellationToken);
        return new Slot(slots);
    }

    SemaphoreSlim? Size(DbContext db)
    {
        if (_sized)
            return _slots;

        lock (_lock)
        {
            if (!_sized)
            {
                Slots = options.Value.MaxConcurrentTransactions ?? FromPool(db);
                _slots = Slots is { } count ? new SemaphoreSlim(count, count) : null;
                _sized = true;
            }

            return _slots;
        }
    }

    /// <summary>Nine tenths of the pool (SQLite has no pool to exhaust: its writers queue on the file's lock).</summary>
    static int? FromPool(DbContext db)
    {
        if (DurableStoreDialect.For(db) != DurableStoreDialect.PostgreSql)
            return null;

        var poolSize = NpgsqlDefaultPoolSize;
        var builder = new DbConnectionStringBuilder { ConnectionString = db.Database.GetConnectionString() ?? "" };
        foreach (var key in new[] { "Maximum Pool Size", "Max Pool Size", "MaxPoolSize" })
        {
            if (builder.TryGetValue(key, out var value) && int.TryParse(value?.ToString(), out var configured))
                poolSize = configured;
        }

        return Math.Max(1, poolSize - Math.Max(2, poolSize / 10));
    }

    public readonly struct Slot(SemaphoreSlim? slots) : IDisposable
    {
        public void Dispose() => slots?.Release();
    }
}
