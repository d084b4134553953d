using System.Data.Common;
using System.Globalization;
using Microsoft.EntityFrameworkCore;

namespace Shop.Messaging.EntityFrameworkCore.Storage;

static class InboxClaim
{
    /// <summary>
    /// Records a delivery of (message, consumer) inside the current transaction and returns when it was consumed
    /// before, if ever. The row is written as consumed at once: it commits with the consumer's own changes or not at
    /// all, so no second write is needed to mark it. The upsert holds the row lock until commit, so a concurrent
    /// duplicate waits and then sees the first delivery's outcome instead of running the consumer a second time.
    /// </summary>
    public static async Task<Outcome> Claim(DbContext db, DurableStoreDialect dialect, Request request, CancellationToken cancellationToken)
    {
        await db.Database.OpenConnectionAsync(cancellationToken);
        await using var command = db.CreateCommand(Sql(db, dialect), Parameters(dialect, request));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await Read(reader, cancellationToken);
    }

    /// <summary>
    /// The claim as a plain insert in the transaction's last batch (<see cref="CommitWithLastBatch.Defer"/>): a row
    /// already there, or written meanwhile by a concurrent delivery that commits, fails the insert and with it the
    /// batch and its commit. The caller then asks <see cref="CountIfConsumed"/> what the row says.
    /// </summary>
    public static void DeferToCommit(DbContext db, DurableStoreDialect dialect, Request request) =>
        CommitWithLastBatch.Defer(db,
            $"INSERT INTO {dialect.TableName<InboxState>(db)} (message_id, consumer_id, received, receive_count, consumed) VALUES ({{0}}, {{1}}, {{2}}, 1, {{2}})",
            dialect.Parameter(request.MessageId), dialect.Parameter(request.ConsumerId), dialect.Parameter(request.Now));

    /// <summary>
    /// True when <paramref name="exception"/> (or what it wraps) is the database's unique violation: the deferred claim's
    /// insert meeting its row, or a unique key of the consumer's own.
    /// </summary>
    public static bool IsUniqueViolation(Exception exception)
    {
        for (var current = exception; current is not null; current = current.InnerException)
        {
            if (current is DbException { SqlState: "23505" })
                return true;
        }

        return false;
    }

    /// <summary>The claim's statement, for a caller that sends it in one command with statements of its own (first).</summary>
    public static string Sql(DbContext db, DurableStoreDialect dialect)
    {
        var table = dialect.TableName<InboxState>(db);
        return $"INSERT INTO {table} (message_id, consumer_id, received, receive_count, consumed) VALUES (@message_id, @consumer_id, @received, 1, @received) " +
            $"ON CONFLICT (message_id, consumer_id) DO UPDATE SET receive_count = {table}.receive_count + 1 RETURNING receive_count, consumed";
    }

    public static (string Name, object? Value)[] Parameters(DurableStoreDialect dialect, Request request) =>
    [
        ("message_id", dialect.Parameter(request.MessageId)), ("consumer_id", dialect.Parameter(request.ConsumerId)),
        ("received", dialect.Parameter(request.Now)),
    ];

    /// <summary>Reads the claim's answer: the reader's current result must be the claim's.</summary>
    public static async Task<Outcome> Read(DbDataReader reader, CancellationToken cancellationToken)
    {
        if (!await reader.ReadAsync(cancellationToken))
            throw new InvalidOperationException("The inbox claim returned no row.");

        var receiveCount = Convert.ToInt64(reader.GetValue(0), CultureInfo.InvariantCulture);
        if (receiveCount == 1)
            return new Outcome(ConsumedBefore: null, NeedsMark: false);

        // PostgreSQL answers a timestamp; SQLite keeps EF Core's DateTime as text.
        var consumed = ReadTime(reader.GetValue(1));

        // A row that committed without a consumed time (written by an older version that marked it separately) is
        // not proof of a consume: run the consumer and mark the row with its changes.
        return new Outcome(consumed, NeedsMark: consumed is null);
    }

    /// <summary>
    /// When (message, consumer) was consumed, if ever, counting this delivery on the row when it was: one statement,
    /// committed on its own, for a consumer that runs outside a transaction.
    /// </summary>
    public static async Task<DateTime?> CountIfConsumed(DbContext db, DurableStoreDialect dialect, Guid messageId, Guid consumerId,
        CancellationToken cancellationToken)
    {
        var table = dialect.TableName<InboxState>(db);
        await db.Database.OpenConnectionAsync(cancellationToken);
        try
        {
            await using var command = db.CreateCommand(
                $"UPDATE {table} SET receive_count = receive_count + 1 " +
                "WHERE message_id = @message_id AND consumer_id = @consumer_id AND consumed IS NOT NULL RETURNING consumed",
                ("message_id", dialect.Parameter(messageId)), ("consumer_id", dialect.Parameter(consumerId)));
            return ReadTime(await command.ExecuteScalarAsync(cancellationToken));
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }

    static DateTime? ReadTime(object? value) => value switch
    {
        null or DBNull => null,
        DateTime time => DateTime.SpecifyKind(time, DateTimeKind.Utc),
        string text => DateTime.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal),
        var other => throw new InvalidOperationException($"Unexpected inbox consumed value {other}.")
    };

    /// <summary>A delivery of a message to a consumer, received at <paramref name="Now"/>.</summary>
    public readonly record struct Request(Guid MessageId, Guid ConsumerId, DateTime Now);

    /// <param name="ConsumedBefore">When an earlier delivery was consumed; null when this delivery must run the consumer.</param>
    /// <param name="NeedsMark">The existing row must be marked consumed together with the consumer's changes.</param>
    public readonly record struct Outcome(DateTime? ConsumedBefore, bool NeedsMark);
}
