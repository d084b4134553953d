namespace Shop.Messaging.EntityFrameworkCore.Storage;

/// <summary>Data steps of the durable store's schema changes, for the migrations of every service that holds the store.</summary>
public static class DurableMessagingMigrations
{
    /// <summary>
    /// Moving from a row per outbox unit (<c>outbox_state</c>) to its columns on every message row: copies each unit's
    /// columns onto its messages before <c>outbox_state</c> is dropped, so what waited for delivery at the upgrade is
    /// still delivered, at its time. PostgreSQL's step; SQLite has its own (<see cref="SqliteUp"/>).
    /// </summary>
    public const string CopyOutboxUnitsToMessages = """
        UPDATE outbox_message SET (created, due_time, schedule_token_id, attempts, last_error) =
          (SELECT s.created, s.due_time, s.schedule_token_id, s.attempts, s.last_error FROM outbox_state s WHERE s.outbox_id = outbox_message.outbox_id);
        """;

    /// <summary>The way back: a unit row for every unit, from its first message row, before those columns are dropped.</summary>
    public const string CopyMessagesToOutboxUnits = """
        INSERT INTO outbox_state (outbox_id, created, due_time, schedule_token_id, attempts, last_error)
        SELECT m.outbox_id, m.created, m.due_time, m.schedule_token_id, m.attempts, m.last_error FROM outbox_message m
        WHERE NOT EXISTS (SELECT 1 FROM outbox_message e WHERE e.outbox_id = m.outbox_id AND e.sequence_number < m.sequence_number);
        """;

    const string MessageColumns =
        "message_id, content_type, message_type, body, headers, properties, conversation_id, correlation_id, initiator_id, request_id, " +
        "source_address, destination_address, response_address, fault_address, sent_time, expiration_time";

    const string SqliteMessageColumnTypes = """
            "message_id" TEXT NOT NULL,
            "content_type" TEXT NOT NULL,
            "message_type" TEXT NOT NULL,
            "body" TEXT NOT NULL,
            "headers" TEXT NULL,
            "properties" TEXT NULL,
            "conversation_id" TEXT NULL,
            "correlation_id" TEXT NULL,
            "initiator_id" TEXT NULL,
            "request_id" TEXT NULL,
            "source_address" TEXT NULL,
            "destination_address" TEXT NULL,
            "response_address" TEXT NULL,
            "fault_address" TEXT NULL,
            "sent_time" TEXT NOT NULL,
            "expiration_time" TEXT NULL,
        """;

    /// <summary>
    /// The same move on SQLite, which cannot drop a foreign key in place: EF Core rebuilds the table at the end of the
    /// migration, after <c>outbox_state</c> is dropped, and dropping it while the key exists deletes every message by
    /// its cascade. So the message table is rebuilt here first, filled from both tables, and the unit table dropped last.
    /// </summary>
    public static readonly string[] SqliteUp =
    [
        $"""
        CREATE TABLE "ef_temp_outbox_message" (
            "outbox_id" TEXT NOT NULL,
            "sequence_number" INTEGER NOT NULL,
            "created" TEXT NOT NULL,
            "due_time" TEXT NOT NULL,
            "schedule_token_id" TEXT NULL,
            "attempts" INTEGER NOT NULL,
            "last_error" TEXT NULL,
        {SqliteMessageColumnTypes}
            CONSTRAINT "PK_outbox_message" PRIMARY KEY ("outbox_id", "sequence_number"));
        """,
        $"""
        INSERT INTO "ef_temp_outbox_message" (outbox_id, sequence_number, created, due_time, schedule_token_id, attempts, last_error, {MessageColumns})
        SELECT m.outbox_id, m.sequence_number, s.created, s.due_time, s.schedule_token_id, s.attempts, s.last_error, {Prefixed("m.")}
        FROM outbox_message m JOIN outbox_state s ON s.outbox_id = m.outbox_id;
        """,
        "DROP TABLE \"outbox_message\";",
        "ALTER TABLE \"ef_temp_outbox_message\" RENAME TO \"outbox_message\";",
        "DROP TABLE \"outbox_state\";",
        "CREATE INDEX \"IX_outbox_message_due_time\" ON \"outbox_message\" (\"due_time\");",
        "CREATE INDEX \"IX_outbox_message_schedule_token_id\" ON \"outbox_message\" (\"schedule_token_id\") WHERE schedule_token_id IS NOT NULL;",
    ];

    /// <summary>The way back on SQLite: the unit table again, then the message table rebuilt with its key to it.</summary>
    public static readonly string[] SqliteDown =
    [
        """
        CREATE TABLE "outbox_state" (
            "outbox_id" TEXT NOT NULL CONSTRAINT "PK_outbox_state" PRIMARY KEY,
            "created" TEXT NOT NULL,
            "due_time" TEXT NOT NULL,
            "schedule_token_id" TEXT NULL,
            "attempts" INTEGER NOT NULL,
            "last_error" TEXT NULL);
        """,
        CopyMessagesToOutboxUnits,
        $"""
        CREATE TABLE "ef_temp_outbox_message" (
            "outbox_id" TEXT NOT NULL,
            "sequence_number" INTEGER NOT NULL,
        {SqliteMessageColumnTypes}
            CONSTRAINT "PK_outbox_message" PRIMARY KEY ("outbox_id", "sequence_number"),
            CONSTRAINT "FK_outbox_message_outbox_state_outbox_id" FOREIGN KEY ("outbox_id") REFERENCES "outbox_state" ("outbox_id") ON DELETE CASCADE);
        """,
        $"""
        INSERT INTO "ef_temp_outbox_message" (outbox_id, sequence_number, {MessageColumns})
        SELECT outbox_id, sequence_number, {MessageColumns} FROM outbox_message;
        """,
        "DROP TABLE \"outbox_message\";",
        "ALTER TABLE \"ef_temp_outbox_message\" RENAME TO \"outbox_message\";",
        "CREATE INDEX \"IX_outbox_state_due_time\" ON \"outbox_state\" (\"due_time\");",
        "CREATE INDEX \"IX_outbox_state_schedule_token_id\" ON \"outbox_state\" (\"schedule_token_id\");",
    ];

    static string Prefixed(string prefix) => string.Join(", ", MessageColumns.Split(", ").Select(column => prefix + column));
}
