namespace Shop.Messaging.EntityFrameworkCore.Storage;

/// <summary>Data steps of the durable store's schema changes, for the migrations of every service that holds the store.</summary>
public static class DurableMessagingMigrations
{
    /// <summary>
    /// Moving from a row per outbox unit (<c>outbox_state</c>) to its columns on every message row: copies each unit's
    /// columns onto its messages before <c>outbox_state</c> is dropped, so what waited for delivery at the upgrade is
    /// still delivered, at its time. Valid on PostgreSQL and SQLite (row values).
    /// </summary>
    public const string CopyOutboxUnitsToMessages = """
        UPDATE outbox_message SET (created, due_time, schedule_token_id, attempts, last_error) =
          (SELECT s.created, s.due_time, s.schedule_token_id, s.attempts, s.last_error FROM outbox_state s WHERE s.outbox_id = outbox_message.outbox_id)
        """;

    /// <summary>The way back: a unit row for every unit, from its first message row, before those columns are dropped.</summary>
    public const string CopyMessagesToOutboxUnits = """
        INSERT INTO outbox_state (outbox_id, created, due_time, schedule_token_id, attempts, last_error)
        SELECT m.outbox_id, m.created, m.due_time, m.schedule_token_id, m.attempts, m.last_error FROM outbox_message m
        WHERE NOT EXISTS (SELECT 1 FROM outbox_message e WHERE e.outbox_id = m.outbox_id AND e.sequence_number < m.sequence_number)
        """;
}
