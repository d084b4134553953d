using Npgsql;

namespace Shop.Cli.Outbox;

/// <summary>A unit that failed to be delivered and waits for its next attempt.</summary>
public sealed record BackoffUnit(Guid OutboxId, int Attempts, DateTime NextAttempt, int Messages, string? LastError);

/// <summary>
/// One service database's durable store as the delivery service sees it: units due now, units backing off after a
/// failed send, scheduled units (saga timeouts, redeliveries) that are not late, and the inbox.
/// </summary>
public sealed record OutboxStatus(
    string Service,
    string? Error,
    long PendingUnits,
    long PendingMessages,
    long ScheduledUnits,
    long BackoffUnits,
    TimeSpan? OldestPendingAge,
    IReadOnlyList<BackoffUnit> Backoff,
    long InboxSize,
    long InboxUnconsumed)
{
    public static OutboxStatus Failed(string service, string error) => new(service, error, 0, 0, 0, 0, null, [], 0, 0);

    /// <summary>Reads the tables <c>AddDurableMessaging()</c> maps (outbox_state, outbox_message, inbox_state) in one snapshot.</summary>
    public static async Task<OutboxStatus> ReadAsync(string service, string connectionString, int backoffShown, CancellationToken cancellationToken)
    {
        try
        {
            await using var connection = new NpgsqlConnection(connectionString);
            await connection.OpenAsync(cancellationToken);
            await using var transaction = await connection.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, cancellationToken);

            // "Pending" is what delivery should have sent by now: due, or backing off after a failure. A unit scheduled
            // for later (a saga timeout) is only counted as scheduled.
            await using var units = new NpgsqlCommand("""
                SELECT
                  count(*) FILTER (WHERE due_time <= now() OR attempts > 0),
                  count(*) FILTER (WHERE due_time > now() AND attempts = 0),
                  count(*) FILTER (WHERE attempts > 0),
                  extract(epoch FROM now() - min(created) FILTER (WHERE due_time <= now() OR attempts > 0))::double precision,
                  (SELECT count(*) FROM outbox_message m JOIN outbox_state s ON s.outbox_id = m.outbox_id WHERE s.due_time <= now() OR s.attempts > 0),
                  (SELECT count(*) FROM inbox_state),
                  (SELECT count(*) FROM inbox_state WHERE consumed IS NULL)
                FROM outbox_state
                """, connection, transaction);
            await using var reader = await units.ExecuteReaderAsync(cancellationToken);
            await reader.ReadAsync(cancellationToken);
            var pending = reader.GetInt64(0);
            var scheduled = reader.GetInt64(1);
            var backingOff = reader.GetInt64(2);
            TimeSpan? oldest = reader.IsDBNull(3) ? null : TimeSpan.FromSeconds(Math.Max(0, reader.GetDouble(3)));
            var pendingMessages = reader.GetInt64(4);
            var inbox = reader.GetInt64(5);
            var unconsumed = reader.GetInt64(6);
            await reader.CloseAsync();

            await using var failed = new NpgsqlCommand("""
                SELECT s.outbox_id, s.attempts, s.due_time, (SELECT count(*) FROM outbox_message m WHERE m.outbox_id = s.outbox_id), s.last_error
                FROM outbox_state s WHERE s.attempts > 0 ORDER BY s.attempts DESC, s.created LIMIT @limit
                """, connection, transaction);
            failed.Parameters.AddWithValue("limit", backoffShown);
            var backoff = new List<BackoffUnit>();
            await using (var rows = await failed.ExecuteReaderAsync(cancellationToken))
                while (await rows.ReadAsync(cancellationToken))
                    backoff.Add(new BackoffUnit(rows.GetGuid(0), rows.GetInt32(1), rows.GetDateTime(2), (int)rows.GetInt64(3), rows.IsDBNull(4) ? null : rows.GetString(4)));

            return new OutboxStatus(service, null, pending, pendingMessages, scheduled, backingOff, oldest, backoff, inbox, unconsumed);
        }
        catch (PostgresException exception) when (exception.SqlState == PostgresErrorCodes.UndefinedTable)
        {
            return Failed(service, "no durable store in this database (outbox_state is missing: not migrated?)");
        }
        catch (Exception exception) when (exception is NpgsqlException or TimeoutException or ArgumentException)
        {
            return Failed(service, exception.GetBaseException().Message);
        }
    }
}
