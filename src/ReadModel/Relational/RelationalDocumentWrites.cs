using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using Shop.ReadModel.Documents;
using Shop.ReadModel.Storage;

namespace Shop.ReadModel.Relational;

/// <summary>
/// Reads and bulk writes of documents, shared by the live store and a rebuild (which passes contexts on its own
/// transaction). A batch is one <c>SaveChanges</c>: one transaction (a savepoint inside a rebuild's), statements batched.
/// </summary>
sealed class RelationalDocumentWrites(Func<ReadModelDbContext> createContext) : IReadModelWriter
{
    public async Task<IReadOnlyDictionary<Guid, OrderSummary>> FindOrdersAsync(IReadOnlyCollection<Guid> orderIds, CancellationToken cancellationToken)
    {
        await using var db = createContext();
        return await db.Orders.AsNoTracking().Where(o => orderIds.Contains(o.OrderId)).ToDictionaryAsync(o => o.OrderId, cancellationToken);
    }

    public async Task<IReadOnlyDictionary<Guid, ProductImageDocument>> FindImagesAsync(IReadOnlyCollection<Guid> imageIds,
        CancellationToken cancellationToken)
    {
        await using var db = createContext();
        return await db.Images.AsNoTracking().Where(i => imageIds.Contains(i.ImageId)).ToDictionaryAsync(i => i.ImageId, cancellationToken);
    }

    public async Task<IReadOnlyList<RejectedDocument>> WriteAsync(IReadOnlyCollection<OrderSummary> orders,
        IReadOnlyCollection<ProductImageDocument> images, CancellationToken cancellationToken)
    {
        try
        {
            await Save(orders, images, cancellationToken);
            return [];
        }
        catch (DbUpdateException) when (orders.Count + images.Count > 1)
        {
            // Something in the batch the database refuses (a value too long, say): find which, write the rest.
            var rejected = new List<RejectedDocument>();
            foreach (var order in orders)
                await SaveAlone(() => Save([order], [], cancellationToken), "order", order.OrderId, rejected);
            foreach (var image in images)
                await SaveAlone(() => Save([], [image], cancellationToken), "image", image.ImageId, rejected);
            return rejected;
        }
    }

    static async Task SaveAlone(Func<Task> save, string kind, Guid id, List<RejectedDocument> rejected)
    {
        try
        {
            await save();
        }
        catch (DbUpdateException exception)
        {
            rejected.Add(new RejectedDocument(kind, id, (exception.InnerException ?? exception).Message));
        }
    }

    async Task Save(IReadOnlyCollection<OrderSummary> orders, IReadOnlyCollection<ProductImageDocument> images, CancellationToken cancellationToken)
    {
        var orderRevisions = orders.Select(order => order.Revision).ToList();
        var imageRevisions = images.Select(image => image.Revision).ToList();
        await using var db = createContext();
        foreach (var order in orders)
            Stage(db, order, order.Revision, revision => order.Revision = revision);
        foreach (var image in images)
            Stage(db, image, image.Revision, revision => image.Revision = revision);

        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (Exception exception)
        {
            // Not written: the documents keep the revisions they were read with, for a second attempt.
            foreach (var (order, revision) in orders.Zip(orderRevisions))
                order.Revision = revision;
            foreach (var (image, revision) in images.Zip(imageRevisions))
                image.Revision = revision;
            // Npgsql's execution strategy hands a transient failure (a deadlock) back wrapped in an InvalidOperationException.
            var update = exception as DbUpdateException ?? exception.InnerException as DbUpdateException;
            if (update is not null && IsConflict(update))
                throw new ReadModelConflictException("A document of the batch was written by someone else since it was read.", exception);
            throw;
        }
    }

    /// <summary>Inserts a new document, or updates a stored one where its revision is still the one read.</summary>
    static void Stage<TDocument>(ReadModelDbContext db, TDocument document, long revision, Action<long> setRevision) where TDocument : class
    {
        if (revision == 0)
        {
            setRevision(1);
            db.Add(document);
            return;
        }

        var entry = db.Attach(document);
        entry.State = EntityState.Modified;
        setRevision(revision + 1);
    }

    /// <summary>
    /// Another writer got there first: the row changed (no row updated) or was created (duplicate key), or the two
    /// deadlocked (a rebuild and a live batch on the same rows).
    /// </summary>
    static bool IsConflict(DbUpdateException exception) =>
        exception is DbUpdateConcurrencyException
        || exception.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation or PostgresErrorCodes.DeadlockDetected }
        || exception.InnerException is SqliteException { SqliteErrorCode: 19, SqliteExtendedErrorCode: 1555 or 2067 };
}
