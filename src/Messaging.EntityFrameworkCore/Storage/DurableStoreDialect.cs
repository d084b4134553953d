using System.Collections.Concurrent;
using System.Data.Common;
using System.Runtime.CompilerServices;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;

namespace Shop.Messaging.EntityFrameworkCore.Storage;

/// <summary>
/// What differs between databases for the durable store. Everything else is plain EF Core, so a new provider
/// (SQLite for the standalone mode) only answers these few questions.
/// </summary>
public abstract class DurableStoreDialect
{
    /// <summary>Appended to the delivery query so competing delivery instances take disjoint rows.</summary>
    public abstract string SkipLockedSuffix { get; }

    /// <summary>Appended to a saga load so concurrent events for one instance queue up behind each other.</summary>
    public abstract string RowLockSuffix { get; }

    /// <summary>
    /// A consume's outbox rows are written as hand-written inserts in its last save's batch (<see cref="CommitWithLastBatch"/>)
    /// rather than as tracked entities.
    /// </summary>
    public virtual bool WritesOutboxByHand => false;

    /// <summary>
    /// Saga instances are read by a command of the store's own, which can carry the consume's inbox claim
    /// (<see cref="Sagas.SagaLoader{TSaga}"/>), and built from the provider's own value types.
    /// </summary>
    public virtual bool LoadsSagasByHand => false;

    /// <summary>
    /// A consume's last batch can carry its inbox claim as a plain insert whose failure stops the batch's commit
    /// (<see cref="ClaimAtCommitAttribute"/>).
    /// </summary>
    public virtual bool ClaimsInLastBatch => false;

    /// <summary>
    /// Deletes the rows of sent outbox units (every message row of each). A delete lost in a crash costs a re-send, not data, so where the database
    /// allows it, its commit does not wait for the disk.
    /// </summary>
    public virtual async Task DeleteOutboxes(DbContext db, Guid[] outboxIds, CancellationToken cancellationToken) =>
        await db.Set<OutboxMessage>().Where(m => outboxIds.Contains(m.OutboxId)).ExecuteDeleteAsync(cancellationToken);

    public virtual string Quote(string identifier) => $"\"{identifier}\"";

    /// <summary>A value for a hand-written command, stored the way EF Core stores it for this provider.</summary>
    public virtual object? Parameter(object? value) => value;

    // Per model, so every DbContext type keeps its own mapping; computed once, read on every message.
    readonly ConditionalWeakTable<IModel, ConcurrentDictionary<Type, string>> _tableNames = new();

    public string TableName<TEntity>(DbContext db) =>
        _tableNames.GetValue(db.Model, _ => new ConcurrentDictionary<Type, string>())
            .GetOrAdd(typeof(TEntity), static (_, state) => state.Dialect.BuildTableName<TEntity>(state.Db), (Dialect: this, Db: db));

    string BuildTableName<TEntity>(DbContext db)
    {
        var entity = db.Model.FindEntityType(typeof(TEntity))
            ?? throw new InvalidOperationException(
                $"{typeof(TEntity).Name} is not part of {db.GetType().Name}; call modelBuilder.AddDurableMessaging() in OnModelCreating.");
        var schema = entity.GetSchema();
        var table = Quote(entity.GetTableName()!);
        return schema is null ? table : $"{Quote(schema)}.{table}";
    }

    // By provider instance (one per EF Core service provider): the provider's name is read from its assembly's name,
    // a reflection call that ran several times per message.
    static readonly ConditionalWeakTable<IDatabaseProvider, DurableStoreDialect> ByProvider = new();

    public static DurableStoreDialect For(DbContext db) =>
        ByProvider.GetValue(db.GetService<IDatabaseProvider>(), provider => provider.Name switch
        {
            "Npgsql.EntityFrameworkCore.PostgreSQL" => PostgreSql,
            "Microsoft.EntityFrameworkCore.Sqlite" => Sqlite,
            var other => throw new NotSupportedException($"The durable message store does not support the EF Core provider '{other}'.")
        });

    public static DurableStoreDialect PostgreSql { get; } = new PostgreSqlDialect();
    public static DurableStoreDialect Sqlite { get; } = new SqliteDialect();

    sealed class PostgreSqlDialect : DurableStoreDialect
    {
        public override string SkipLockedSuffix => " FOR UPDATE SKIP LOCKED";
        public override string RowLockSuffix => " FOR UPDATE";
        public override bool WritesOutboxByHand => true;
        public override bool LoadsSagasByHand => true;
        public override bool ClaimsInLastBatch => true;

        public override async Task DeleteOutboxes(DbContext db, Guid[] outboxIds, CancellationToken cancellationToken)
        {
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            await using (var delete = db.CreateCommand(
                             $"SET LOCAL synchronous_commit TO off; DELETE FROM {TableName<OutboxMessage>(db)} WHERE outbox_id = ANY(@outbox_ids)",
                             ("outbox_ids", outboxIds)))
                await delete.ExecuteNonQueryAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }
    }

    // SQLite takes a database-wide write lock per transaction, which already serialises what row locks would.
    sealed class SqliteDialect : DurableStoreDialect
    {
        public override string SkipLockedSuffix => "";
        public override string RowLockSuffix => "";

        // EF Core's SQLite provider keeps Guids as upper-case text and DateTimes as sortable text.
        public override object? Parameter(object? value) => value switch
        {
            Guid guid => guid.ToString().ToUpperInvariant(),
            DateTime time => time.ToString("yyyy-MM-dd HH:mm:ss.FFFFFFF", System.Globalization.CultureInfo.InvariantCulture),
            _ => value
        };
    }
}

static class DbContextCommandExtensions
{
    /// <summary>A command on the context's connection, enlisted in its current transaction.</summary>
    public static DbCommand CreateCommand(this DbContext db, string sql, params (string Name, object? Value)[] parameters)
    {
        var command = db.Database.GetDbConnection().CreateCommand();
        command.CommandText = sql;
        command.Transaction = db.Database.CurrentTransaction?.GetDbTransaction();
        foreach (var (name, value) in parameters)
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = name;
            parameter.Value = value ?? DBNull.Value;
            command.Parameters.Add(parameter);
        }

        return command;
    }
}
