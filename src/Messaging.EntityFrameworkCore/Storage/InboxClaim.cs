using System.Globalization;
using Microsoft.EntityFrameworkCore;

namespace Shop.Messaging.EntityFrameworkCore.Storage;

static class InboxClaim
{
    /// <summary>
    /// Records a delivery of (message, consumer) inside the current transaction and returns when it was consumed
    /// before, if ever. The upsert holds the row lock until commit, so a concurrent duplicate waits and then sees
    /// the first delivery's outcome instead of running the consumer a second time.
    /// </summary>
    public static async Task<DateTime?> Claim(DbContext db, DurableStoreDialect dialect, Guid messageId, Guid consumerId, DateTime now,
        CancellationToken cancellationToken)
    {
        var table = dialect.TableName<InboxState>(db);
        await db.Database.OpenConnectionAsync(cancellationToken);
        await using var command = db.CreateCommand(
            $"INSERT INTO {table} (message_id, consumer_id, received, receive_count) VALUES (@message_id, @consumer_id, @received, 1) " +
            $"ON CONFLICT (message_id, consumer_id) DO UPDATE SET receive_count = {table}.receive_count + 1 RETURNING consumed",
            ("message_id", dialect.Parameter(messageId)), ("consumer_id", dialect.Parameter(consumerId)), ("received", dialect.Parameter(now)));

        // PostgreSQL answers a timestamp; SQLite keeps EF Core's DateTime as text.
        return await command.ExecuteScalarAsync(cancellationToken) switch
        {
            DateTime consumed => DateTime.SpecifyKind(consumed, DateTimeKind.Utc),
            string text => DateTime.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal),
            _ => null
        };
    }
}
