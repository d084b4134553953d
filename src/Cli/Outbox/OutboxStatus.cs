using Microsoft.Data.Sqlite;
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

    /// <summary>
    /// Reads the tables <c>AddDurableMessaging()</c> maps (outbox_message, inbox_state) in one snapshot:
    /// PostgreSQL, or a standalone host's SQLite file (a <c>Data Source=…</c> connection string).
    /// </summary>
    public static Task<OutboxStatus> ReadAsync(string service, string connectionString, int backoffShown, CancellationToken cancellationToken) =>
        connectionString.TrimStart().StartsWith("Data Source=", StringComparison.OrdinalIgnoreCase)
            ? ReadSqliteAsync(service, connectionString, backoffShown, cancellationToken)
            : ReadPostgresAsync(service, connectionString, backoffShown, cancellationToken);

    /// <summary>
    /// The units, from their message rows: each row repeats its unit's columns, so any row's values are the unit's.
    /// Valid on PostgreSQL and SQLite.
    /// </summary>
    const string Units = """
        WITH units AS (
          SELECT outbox_id, min(created) AS created, min(due_time) AS due_time, max(attempts) AS attempts,
                 max(last_error) AS last_error, count(*) AS messages
          FROM outbox_message GROUP BY outbox_id)
        """;

    static async Task<OutboxStatus> ReadPostgresAsync(string service, string connectionString, int backoffShown, CancellationToken cancellationToken)
    {
        try
        {
            await using var connection = new NpgsqlConnection(connectionString);
            await connection.OpenAsync(cancellationToken);
            await using var transaction = await connection.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, cancellationToken);

            // "Pending" is what delivery should have sent by now: due, or backing off after a failure. A unit scheduled
            // for later (a saga timeout) is only counted as scheduled.
            await using var units = new NpgsqlCommand($"""
                {Units}
                SELECT
                  count(*) FILTER (WHERE due_time <= now() OR attempts > 0),
                  count(*) FILTER (WHERE due_time > now() AND attempts = 0),
                  count(*) FILTER (WHERE attempts > 0),
                  extract(epoch FROM now() - min(created) FILTER (WHERE due_time <= now() OR attempts > 0))::double precision,
                  coalesce(sum(messages) FILTER (WHERE due_time <= now() OR attempts > 0), 0)::bigint,
                  (SELECT count(*) FROM inbox_state),
                  (SELECT count(*) FROM inbox_state WHERE consumed IS NULL)
                FROM units
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

            await using var failed = new NpgsqlCommand($"""
                {Units}
                SELECT outbox_id, attempts, due_time, messages, last_error
                FROM units WHERE attempts > 0 ORDER BY attempts DESC, created LIMIT @limit
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
            return Failed(service, "no durable store in this database (outbox_message is missing: not migrated?)");
        }
        catch (Exception exception) when (exception is NpgsqlException or TimeoutException or ArgumentException)
        {
            return Failed(service, exception.GetBaseException().Message);
        }
    }

    /// <summary>
    /// SQLite keeps times as text, so the units are read and counted here rather than in SQL; a standalone database
    /// holds few of them. Opened read-only: the running host keeps writing.
    /// </summary>
    static async Task<OutboxStatus> ReadSqliteAsync(string service, string connectionString, int backoffShown, CancellationToken cancellationToken)
    {
        try
        {
            var builder = new SqliteConnectionStringBuilder(connectionString) { Mode = SqliteOpenMode.ReadOnly };
            if (!File.Exists(builder.DataSource))
                return Failed(service, $"no SQLite database at {Path.GetFullPath(builder.DataSource)}");

            await using var connection = new SqliteConnection(builder.ConnectionString);
            await connection.OpenAsync(cancellationToken);
            await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken);
            var units = new List<(Guid Id, DateTime Created, DateTime Due, int Attempts, string? LastError, int Messages)>();
            await using (var command = new SqliteCommand($"""
                {Units}
                SELECT outbox_id, created, due_time, attempts, last_error, messages FROM units
                """, connection, transaction))
            await using (var rows = await command.ExecuteReaderAsync(cancellationToken))
            {
                while (await rows.ReadAsync(cancellationToken))
                    units.Add((rows.GetGuid(0), Utc(rows.GetDateTime(1)), Utc(rows.GetDateTime(2)), rows.GetInt32(3),
                        rows.IsDBNull(4) ? null : rows.GetString(4), rows.GetInt32(5)));
            }

            await using var inbox = new SqliteCommand("SELECT count(*), count(*) FILTER (WHERE consumed IS NULL) FROM inbox_state", connection, transaction);
            await using var counts = await inbox.ExecuteReaderAsync(cancellationToken);
            await counts.ReadAsync(cancellationToken);

            var now = DateTime.UtcNow;
            var pending = units.Where(u => u.Due <= now || u.Attempts > 0).ToList();
            return new OutboxStatus(service, null,
                pending.Count,
                pending.Sum(u => u.Messages),
                units.Count(u => u.Due > now && u.Attempts == 0),
                units.Count(u => u.Attempts > 0),
                pending.Count > 0 ? now - pending.Min(u => u.Created) : null,
                units.Where(u => u.Attempts > 0).OrderByDescending(u => u.Attempts).ThenBy(u => u.Created).Take(backoffShown)
                    .Select(u => new BackoffUnit(u.Id, u.Attempts, u.Due, u.Messages, u.LastError)).ToList(),
                counts.GetInt64(0),
                counts.GetInt64(1));
        }
        catch (SqliteException exception) when (exception.Message.Contains("no such table", StringComparison.Ordinal))
        {
            return Failed(service, "no durable store in this database (outbox_message is missing: not migrated?)");
        }
        catch (SqliteException exception)
        {
            return Failed(service, exception.Message);
        }
    }

    /// <summary>EF Core writes UTC times to SQLite as text without a zone; they come back unspecified.</summary>
    static DateTime Utc(DateTime time) => time.Kind == DateTimeKind.Unspecified ? DateTime.SpecifyKind(time, DateTimeKind.Utc) : time.ToUniversalTime();
}
