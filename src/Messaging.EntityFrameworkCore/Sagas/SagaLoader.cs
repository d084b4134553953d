using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Shop.Messaging.EntityFrameworkCore.Storage;

namespace Shop.Messaging.EntityFrameworkCore.Sagas;

/// <summary>
/// Loads a saga instance with a row lock held to the end of the transaction, so concurrent events for one
/// instance run one after another on the latest state instead of overwriting each other.
/// </summary>
sealed class SagaLoader<TSaga> where TSaga : class, ISaga
{
    string? _sql;

    public async Task<TSaga?> LoadForUpdate(DbContext db, Guid correlationId, CancellationToken cancellationToken)
    {
        _sql ??= BuildSql(db);
        var rows = await db.Set<TSaga>().FromSqlRaw(_sql, correlationId).AsTracking().ToListAsync(cancellationToken);
        return rows.SingleOrDefault();
    }

    static string BuildSql(DbContext db)
    {
        var dialect = DurableStoreDialect.For(db);
        var entity = db.Model.FindEntityType(typeof(TSaga))
            ?? throw new InvalidOperationException($"Saga {typeof(TSaga).Name} is not part of {db.GetType().Name}'s model.");
        var table = StoreObjectIdentifier.Table(entity.GetTableName()!, entity.GetSchema());
        var column = entity.FindProperty(nameof(ISaga.CorrelationId))!.GetColumnName(table)!;
        return $"SELECT * FROM {dialect.TableName<TSaga>(db)} WHERE {dialect.Quote(column)} = {{0}}{dialect.RowLockSuffix}";
    }
}
