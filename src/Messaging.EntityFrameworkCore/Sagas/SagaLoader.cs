using System.Data.Common;
using System.Linq.Expressions;
using System.Reflection;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Shop.Messaging.EntityFrameworkCore.Storage;

namespace Shop.Messaging.EntityFrameworkCore.Sagas;

/// <summary>
/// Loads a saga instance with a row lock held to the end of the transaction, so concurrent events for one
/// instance run one after another on the latest state instead of overwriting each other.
/// <para>
/// On PostgreSQL the row is read by a command of ours and the instance built by a delegate compiled from EF Core's
/// model, then attached: EF Core's query pipeline for <c>FromSqlRaw</c> was a tenth of a saga step's processor time.
/// That command can carry the consume's inbox claim ahead of the load (<see cref="ClaimAndLoad"/>), one round trip for
/// both. An instance type the delegate cannot build (inheritance, owned or complex types, navigations, shadow
/// properties, value converters, a constructor with parameters) and other providers keep EF Core's query.
/// </para>
/// </summary>
sealed class SagaLoader<TSaga> where TSaga : class, ISaga
{
    string? _sql;
    HandLoad? _hand;
    bool _handChecked;

    sealed record HandLoad(string Sql, Func<DbDataReader, TSaga> Materialize);

    public async Task<TSaga?> LoadForUpdate(DbContext db, Guid correlationId, CancellationToken cancellationToken)
    {
        if (Hand(db) is not { } hand)
        {
            _sql ??= BuildSql(db);
            var rows = await db.Set<TSaga>().FromSqlRaw(_sql, correlationId).AsTracking().ToListAsync(cancellationToken);
            return rows.SingleOrDefault();
        }

        await db.Database.OpenConnectionAsync(cancellationToken);
        await using var command = db.CreateCommand(hand.Sql, ("correlation_id", correlationId));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await Read(db, hand, reader, correlationId, cancellationToken);
    }

    /// <summary>
    /// Claims the inbox row of <paramref name="claim"/> and, unless it was consumed before, loads the instance: in one
    /// command where the instance is loaded by hand, one after the other otherwise. A duplicate loads nothing.
    /// </summary>
    public async Task<(InboxClaim.Outcome Claim, TSaga? Instance)> ClaimAndLoad(DbContext db, DurableStoreDialect dialect,
        InboxClaim.Request claim, Guid correlationId, CancellationToken cancellationToken)
    {
        if (Hand(db) is not { } hand)
        {
            var alone = await InboxClaim.Claim(db, dialect, claim, cancellationToken);
            return (alone, alone.ConsumedBefore is null ? await LoadForUpdate(db, correlationId, cancellationToken) : null);
        }

        await db.Database.OpenConnectionAsync(cancellationToken);
        await using var command = db.CreateCommand($"{InboxClaim.Sql(db, dialect)}; {hand.Sql}",
            [.. InboxClaim.Parameters(dialect, claim), ("correlation_id", correlationId)]);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var outcome = await InboxClaim.Read(reader, cancellationToken);
        if (outcome.ConsumedBefore is not null || !await reader.NextResultAsync(cancellationToken))
            return (outcome, null);
        return (outcome, await Read(db, hand, reader, correlationId, cancellationToken));
    }

    static async Task<TSaga?> Read(DbContext db, HandLoad hand, DbDataReader reader, Guid correlationId, CancellationToken cancellationToken)
    {
        if (!await reader.ReadAsync(cancellationToken))
            return null;
        var instance = hand.Materialize(reader);
        try
        {
            db.Attach(instance);
            return instance;
        }
        catch (InvalidOperationException)
        {
            // Already tracked (loaded earlier in this scope): the tracked one wins, as with a tracking query.
            return db.ChangeTracker.Entries<TSaga>().First(e => e.Entity.CorrelationId == correlationId).Entity;
        }
    }

    HandLoad? Hand(DbContext db)
    {
        if (!_handChecked)
        {
            _hand = DurableStoreDialect.For(db).LoadsSagasByHand ? BuildHandLoad(db) : null;
            _handChecked = true;
        }

        return _hand;
    }

    static string BuildSql(DbContext db)
    {
        var (dialect, _, table, key) = Describe(db);
        return $"SELECT * FROM {table} WHERE {dialect.Quote(key)} = {{0}}{dialect.RowLockSuffix}";
    }

    static (DurableStoreDialect Dialect, IEntityType Entity, string Table, string KeyColumn) Describe(DbContext db)
    {
        var dialect = DurableStoreDialect.For(db);
        var entity = db.Model.FindEntityType(typeof(TSaga))
            ?? throw new InvalidOperationException($"Saga {typeof(TSaga).Name} is not part of {db.GetType().Name}'s model.");
        var table = StoreObjectIdentifier.Table(entity.GetTableName()!, entity.GetSchema());
        var key = entity.FindProperty(nameof(ISaga.CorrelationId))!.GetColumnName(table)!;
        return (dialect, entity, dialect.TableName<TSaga>(db), key);
    }

    static HandLoad? BuildHandLoad(DbContext db)
    {
        var (dialect, entity, table, key) = Describe(db);
        if (entity.BaseType is not null || entity.GetDirectlyDerivedTypes().Any() || entity.GetNavigations().Any()
            || entity.GetSkipNavigations().Any() || entity.GetComplexProperties().Any() || entity.GetServiceProperties().Any()
            || entity.IsOwned() || typeof(TSaga).GetConstructor(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic, Type.EmptyTypes) is not { } constructor)
            return null;

        var storeObject = StoreObjectIdentifier.Table(entity.GetTableName()!, entity.GetSchema());
        var reader = Expression.Parameter(typeof(DbDataReader), "reader");
        var instance = Expression.Variable(typeof(TSaga), "instance");
        var body = new List<Expression> { Expression.Assign(instance, Expression.New(constructor)) };
        var columns = new List<string>();
        foreach (var property in entity.GetProperties())
        {
            if (property.IsShadowProperty() || property.GetColumnName(storeObject) is not { } column
                || (property.GetValueConverter() ?? property.GetTypeMapping().Converter) is not null)
                return null;
            var member = property.GetMemberInfo(forMaterialization: true, forSet: true);
            var target = Expression.MakeMemberAccess(instance, member);
            body.Add(Expression.Assign(target, ReadColumn(reader, columns.Count, property, target.Type)));
            columns.Add(dialect.Quote(column));
        }

        body.Add(instance);
        var materialize = Expression.Lambda<Func<DbDataReader, TSaga>>(Expression.Block([instance], body), reader).Compile();
        return new HandLoad($"SELECT {string.Join(", ", columns)} FROM {table} WHERE {dialect.Quote(key)} = @correlation_id{dialect.RowLockSuffix}",
            materialize);
    }

    /// <summary>The column's value as EF Core would give it (the provider's value type, no converter), null as null.</summary>
    static Expression ReadColumn(ParameterExpression reader, int ordinal, IProperty property, Type memberType)
    {
        var readType = Nullable.GetUnderlyingType(property.ClrType) ?? property.ClrType;
        Expression value = Expression.Convert(
            Expression.Call(reader, nameof(DbDataReader.GetFieldValue), [readType], Expression.Constant(ordinal)), memberType);
        return !property.IsNullable
            ? value
            : Expression.Condition(Expression.Call(reader, nameof(DbDataReader.IsDBNull), null, Expression.Constant(ordinal)),
                Expression.Default(memberType), value);
    }
}
