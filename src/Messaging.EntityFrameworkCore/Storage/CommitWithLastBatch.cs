#pragma warning disable EF1001 // Npgsql's batch and its factory are "internal" APIs by EF Core's convention; see the class comment.
using System.Globalization;
using System.Runtime.CompilerServices;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.EntityFrameworkCore.Update;
using Microsoft.Extensions.Logging;
using Npgsql;
using Npgsql.EntityFrameworkCore.PostgreSQL.Infrastructure.Internal;
using Npgsql.EntityFrameworkCore.PostgreSQL.Update.Internal;

namespace Shop.Messaging.EntityFrameworkCore.Storage;

/// <summary>
/// Lets the durable store's last save of a consume carry the transaction's <c>COMMIT</c> in the same round trip as its
/// rows: PostgreSQL runs the statements of one batch up to their single sync point in order and stops at the first
/// error, so a <c>COMMIT</c> after them commits only when every statement before it succeeded. A consumed message
/// paid a round trip for the commit alone (one of every five or six the order flow made). Statements the store writes
/// by hand (outbox rows, a cancelled schedule's delete) can wait for that batch too (<see cref="Defer"/>).
/// <para>
/// Only the last batch of a save carries them (EF Core builds a batch after the previous one ran and says which is the
/// last). A save that writes nothing sends the deferred statements and the commit as one command of its own; on a
/// provider without the batch below (SQLite) <see cref="SaveChangesAndCommit"/> runs them and returns false, and the
/// caller commits as before.
/// </para>
/// </summary>
static class CommitWithLastBatch
{
    sealed class Request
    {
        public bool Pending;
        public bool Open;
        public bool Appended;
        public Action? BeforeOtherSave;
        public readonly List<(string Sql, object?[] Values)> Deferred = [];

        /// <summary>Where the save's last batch may commit with others' (<see cref="GroupCommit"/>); null: on its own connection.</summary>
        public GroupCommit? Group;

        /// <summary>The last batch went to <see cref="Group"/>: the context's own transaction never sent anything.</summary>
        public bool Grouped;
    }

    static readonly ConditionalWeakTable<DbContext, Request> Requests = new();

    /// <summary>
    /// Saves <paramref name="db"/>'s changes with its open transaction's commit in the same batch. True: the commit was
    /// sent with the rows and succeeded, the transaction is over. False: nothing carried it; the transaction is still
    /// open. An exception leaves the transaction uncommitted, except the one check EF Core makes after the batch ran:
    /// an update or delete that found no row (deleted meanwhile by someone else). The commit went through by then, so
    /// the save counts as done, with a warning naming what was gone; the inbox already says consumed, and a retry
    /// would only find the message a duplicate.
    /// </summary>
    /// <param name="group">
    /// Where the last batch may commit together with other consumes' when it is the whole of its transaction; its
    /// statements must include the consume's inbox claim as a plain insert (see <see cref="GroupCommit"/>).
    /// </param>
    public static async Task<bool> SaveChangesAndCommit(DbContext db, ILogger logger, CancellationToken cancellationToken, GroupCommit? group = null)
    {
        var request = Requests.GetOrCreateValue(db);
        request.Open = true;
        request.Appended = false;
        request.Grouped = false;
        request.Group = group is { Enabled: true } ? group : null;
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateConcurrencyException exception) when (request.Appended && (request.Grouped || TransactionEnded(db)))
        {
            logger.LogWarning(exception, "Committed, but {Count} rows it updated or deleted were gone by then: {Entities}", exception.Entries.Count,
                string.Join(", ", exception.Entries.Select(entry => entry.Metadata.DisplayName()).Distinct()));
            request.Deferred.Clear();
            await EndGrouped(db, request);
            return true;
        }
        catch
        {
            request.Deferred.Clear();
            throw;
        }
        finally
        {
            request.Open = false;
            request.Group = null;
        }

        if (request.Appended)
        {
            await EndGrouped(db, request);
            return true;
        }
        if (request.Deferred.Count == 0)
            return false;

        // Nothing of EF Core's to save: the deferred statements go alone, with the commit where the batch would carry it.
        var commit = db.Database.CurrentTransaction is not null && DurableStoreDialect.For(db) == DurableStoreDialect.PostgreSql;
        var grouped = commit && group is { Enabled: true } && GroupCommit.NothingSent(db);
        try
        {
            await RunDeferred(db, request.Deferred, commit, grouped ? group : null, cancellationToken);
        }
        finally
        {
            request.Deferred.Clear();
        }

        request.Grouped = grouped;
        await EndGrouped(db, request);
        return commit;
    }

    /// <summary>
    /// Starts a transaction on <paramref name="db"/> that ends with <see cref="SaveChangesAndCommit"/> (until
    /// <see cref="End"/>); what an earlier, failed attempt deferred is not to run. <paramref name="beforeOtherSave"/>
    /// runs at the start of every save of <paramref name="db"/> until then (the store's own included).
    /// </summary>
    public static void Begin(DbContext db, Action? beforeOtherSave = null)
    {
        var request = Requests.GetOrCreateValue(db);
        request.Deferred.Clear();
        request.Pending = true;
        request.BeforeOtherSave = beforeOtherSave;
    }

    public static void End(DbContext db)
    {
        if (Requests.TryGetValue(db, out var request))
        {
            request.Pending = false;
            request.BeforeOtherSave = null;
            request.Deferred.Clear();
        }
    }

    /// <summary>True inside a transaction begun by <see cref="Begin"/>: a save now can wait for its last one.</summary>
    public static bool EndsWithSave(DbContext db) => Requests.TryGetValue(db, out var request) && request.Pending;

    /// <summary>Called by the save interceptor as any save of <paramref name="db"/> starts.</summary>
    public static void Saving(DbContext db)
    {
        if (Requests.TryGetValue(db, out var request) && request.Pending)
            request.BeforeOtherSave?.Invoke();
    }

    /// <summary>
    /// A statement for the transaction's last save to carry ahead of its commit instead of a round trip now; its
    /// parameters are written <c>{0}</c>, <c>{1}</c>, …. Only for a transaction that ends with
    /// <see cref="SaveChangesAndCommit"/>, which runs it on its own when no batch carries it.
    /// </summary>
    public static void Defer(DbContext db, string sql, params object?[] values) => Requests.GetOrCreateValue(db).Deferred.Add((sql, values));

    static async Task RunDeferred(DbContext db, List<(string Sql, object?[] Values)> deferred, bool commit, GroupCommit? group,
        CancellationToken cancellationToken)
    {
        var parameters = new List<(string Name, object? Value)>();
        var sql = string.Join("; ", deferred.Select((statement, i) => Format(statement, i, parameters)));
        if (group is not null)
        {
            await using var grouped = db.CreateCommand(sql + ";", parameters.ToArray());
            await group.Commit(grouped);
            return;
        }

        await using var command = db.CreateCommand(sql + (commit ? "; COMMIT" : ""), parameters.ToArray());
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    static string Format((string Sql, object?[] Values) statement, int index, List<(string Name, object? Value)> parameters)
    {
        var names = new object[statement.Values.Length];
        for (var j = 0; j < names.Length; j++)
        {
            var name = $"d{index}_{j}";
            names[j] = "@" + name;
            parameters.Add((name, statement.Values[j]));
        }

        return string.Format(CultureInfo.InvariantCulture, statement.Sql, names);
    }

    /// <summary>
    /// The context's transaction has sent nothing and its group committed: closing its connection drops the unsent
    /// <c>BEGIN</c> (Npgsql's reset of a pooled connection) where a rollback would have sent it with a <c>ROLLBACK</c>.
    /// </summary>
    static async Task EndGrouped(DbContext db, Request request)
    {
        if (request.Grouped)
            await db.Database.GetDbConnection().CloseAsync();
    }

    // Npgsql refuses to describe a transaction that has ended: the probe costs no round trip.
    static bool TransactionEnded(DbContext db)
    {
        if (db.Database.CurrentTransaction?.GetDbTransaction() is not { } transaction)
            return true;
        try
        {
            _ = transaction.IsolationLevel;
            return false;
        }
        catch (InvalidOperationException)
        {
            return true;
        }
    }

    /// <summary>True while a save of <paramref name="db"/> is to commit: its writes are the transaction's last.</summary>
    public static bool IsCommitting(DbContext db) => Requests.TryGetValue(db, out var request) && request.Open;

    static Request? Take(DbContext db)
    {
        if (!Requests.TryGetValue(db, out var request) || !request.Open || request.Appended)
            return null;
        request.Appended = true;
        return request;
    }

    /// <summary>Installs the batch on a PostgreSQL context; other providers keep their own (their commit stays separate).</summary>
    public static void Install(DbContextOptionsBuilder options)
    {
        if (options.Options.FindExtension<NpgsqlOptionsExtension>() is not null)
            options.ReplaceService<IModificationCommandBatchFactory, BatchFactory>();
    }

    sealed class BatchFactory : NpgsqlModificationCommandBatchFactory
    {
        readonly ModificationCommandBatchFactoryDependencies _dependencies;
        readonly int _maxBatchSize;

        public BatchFactory(ModificationCommandBatchFactoryDependencies dependencies, IDbContextOptions options)
            : base(dependencies, options)
        {
            _dependencies = dependencies;
            // Npgsql's default, as its own factory reads it.
            _maxBatchSize = options.FindExtension<NpgsqlOptionsExtension>()?.MaxBatchSize ?? 1000;
        }

        public override ModificationCommandBatch Create() => new Batch(_dependencies, _maxBatchSize);
    }

    sealed class Batch(ModificationCommandBatchFactoryDependencies dependencies, int maxBatchSize)
        : NpgsqlModificationCommandBatch(dependencies, maxBatchSize)
    {
        GroupCommit? _group;

        /// <summary>
        /// A lone batch outside a transaction runs in PostgreSQL's implicit transaction (one sync point: all of it or
        /// none), so EF Core need not wrap it in BEGIN … COMMIT, which cost a round trip of its own per save.
        /// </summary>
        public override bool RequiresTransaction => false;

        public override void Complete(bool moreBatchesExpected)
        {
            var db = Dependencies.CurrentContext.Context;
            // The commit belongs after the last of the save's statements, and only inside the transaction it ends.
            // EF Core's own statements come first: it reads their results by position.
            if (!moreBatchesExpected && db.Database.CurrentTransaction is not null && Take(db) is { } request)
            {
                var parameters = new List<(string Name, object? Value)>();
                for (var i = 0; i < request.Deferred.Count; i++)
                    SqlBuilder.Append(Format(request.Deferred[i], i, parameters)).AppendLine(";");
                foreach (var (name, value) in parameters)
                    RelationalCommandBuilder.AddRawParameter(name, new NpgsqlParameter(name, value ?? DBNull.Value));

                // The whole transaction is this batch, and it reads nothing back: it can commit with other consumes'.
                if (request.Group is { } group && ResultSetMappings.All(mapping => mapping == ResultSetMapping.NoResults)
                    && GroupCommit.NothingSent(db))
                {
                    _group = group;
                    request.Grouped = true;
                }
                else
                    SqlBuilder.AppendLine("COMMIT;");

                request.Deferred.Clear();
            }

            base.Complete(moreBatchesExpected);
        }

        public override async Task ExecuteAsync(IRelationalConnection connection, CancellationToken cancellationToken = default)
        {
            if (_group is null || StoreCommand is null)
            {
                await base.ExecuteAsync(connection, cancellationToken);
                return;
            }

            int[] rows;
            try
            {
                await using var command = StoreCommand.RelationalCommand.CreateDbCommand(
                    new RelationalCommandParameterObject(connection, StoreCommand.ParameterValues, null, Dependencies.CurrentContext.Context,
                        Dependencies.Logger, CommandSource.SaveChanges),
                    Guid.NewGuid(), DbCommandMethod.ExecuteReader);
                // Committed or not, once sent the group's outcome is awaited: a commit is not abandoned half-way.
                rows = await _group.Commit(command);
            }
            catch (Exception exception) when (exception is not DbUpdateException and not OperationCanceledException)
            {
                throw new DbUpdateException("An error occurred while saving the entity changes. See the inner exception for details.", exception,
                    ModificationCommands.SelectMany(command => command.Entries).ToList());
            }

            // EF Core's own check, on rows of a transaction that has committed (SaveChangesAndCommit reports it so).
            var gone = ModificationCommands.Where((command, i) => command.StoreStoredProcedure is null && (i >= rows.Length || rows[i] != 1)).ToList();
            if (gone.Count > 0)
                throw new DbUpdateConcurrencyException($"{gone.Count} of the batch's statements expected to affect one row affected none.",
                    gone.SelectMany(command => command.Entries).ToList());
        }
    }
}
