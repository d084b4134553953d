using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using Shop.Orders.Api.Domain;

namespace Shop.Orders.Api.Persistence;

/// <summary>
/// The clients' idempotency keys, each with the fingerprint of the request it first came with and the order it created.
/// The table's primary key settles two concurrent requests with one key: the later commit fails, and
/// <see cref="IsTaken"/> tells that failure from any other.
/// </summary>
public sealed class IdempotencyKeyStore(OrdersDbContext db)
{
    const int SqlitePrimaryKeyViolation = 1555;

    public Task<IdempotencyKey?> Find(string key, CancellationToken cancellationToken) =>
        db.IdempotencyKeys.AsNoTracking().SingleOrDefaultAsync(k => k.Key == key, cancellationToken);

    /// <summary>Adds the key to the unit of work that stores its order: it commits with the order or not at all.</summary>
    public void Claim(string key, string requestFingerprint, Guid orderId, DateTime at) =>
        db.IdempotencyKeys.Add(new IdempotencyKey { Key = key, RequestHash = requestFingerprint, OrderId = orderId, CreatedAt = at });

    /// <summary>Whether a save failed because a concurrent request committed the same key first.</summary>
    public static bool IsTaken(DbUpdateException exception) => exception.InnerException switch
    {
        PostgresException postgres => postgres is { SqlState: PostgresErrorCodes.UniqueViolation, TableName: "idempotency_keys" },
        // SQLite (standalone mode) names the table only in the message: "UNIQUE constraint failed: idempotency_keys.key".
        SqliteException sqlite => sqlite.SqliteExtendedErrorCode == SqlitePrimaryKeyViolation
            && sqlite.Message.Contains("idempotency_keys.", StringComparison.Ordinal),
        _ => false
    };
}
