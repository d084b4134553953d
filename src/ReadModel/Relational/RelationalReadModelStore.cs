using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Migrations;
using Shop.ReadModel.Documents;
using Shop.ReadModel.Storage;

namespace Shop.ReadModel.Relational;

/// <summary>
/// The read model in PostgreSQL (compose, and wherever no Elasticsearch is configured) or SQLite (standalone).
/// </summary>
public sealed class RelationalReadModelStore(RelationalReadModelDatabase database) : IReadModelStore
{
    readonly RelationalDocumentWrites _writes = new(database.CreateContext);

    public async Task InitializeAsync(CancellationToken cancellationToken)
    {
        await using var db = database.CreateContext();
        await db.Database.MigrateAsync(cancellationToken);
        if (!database.IsPostgres)
            // Readers keep reading while a batch (or a whole rebuild) is being written.
            await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", cancellationToken);
    }

    public Task<IReadOnlyDictionary<Guid, OrderSummary>> FindOrdersAsync(IReadOnlyCollection<Guid> orderIds, CancellationToken cancellationToken) =>
        _writes.FindOrdersAsync(orderIds, cancellationToken);

    public Task<IReadOnlyDictionary<Guid, ProductImageDocument>> FindImagesAsync(IReadOnlyCollection<Guid> imageIds, CancellationToken cancellationToken) =>
        _writes.FindImagesAsync(imageIds, cancellationToken);

    public Task<IReadOnlyList<RejectedDocument>> WriteAsync(IReadOnlyCollection<OrderSummary> orders, IReadOnlyCollection<ProductImageDocument> images,
        CancellationToken cancellationToken) =>
        _writes.WriteAsync(orders, images, cancellationToken);

    public async Task<OrderSummaryPage> QueryOrdersAsync(OrderSummaryQuery query, CancellationToken cancellationToken)
    {
        await using var db = database.CreateContext();
        var orders = db.Orders.AsNoTracking();
        if (query.CustomerId is { } customerId)
            orders = orders.Where(o => o.CustomerId == customerId);
        if (query.Status is { } status)
            orders = orders.Where(o => o.Status == status);
        if (query.From is { } from)
            orders = orders.Where(o => o.PlacedAt >= from);
        if (query.To is { } to)
            orders = orders.Where(o => o.PlacedAt < to);
        if (SearchWords.Of(query.Text) is { Count: > 0 } words)
            orders = db.MatchingText(orders, words);
        if (query.After is { } after)
            orders = orders.Where(o => string.Compare(o.SortKey, after) < 0);

        var page = await orders.OrderByDescending(o => o.SortKey).Take(query.Limit + 1).ToListAsync(cancellationToken);
        return page.Count > query.Limit
            ? new OrderSummaryPage(page[..query.Limit], page[query.Limit - 1].SortKey)
            : new OrderSummaryPage(page, null);
    }

    public async Task<OrderSummary?> FindOrderAsync(Guid orderId, CancellationToken cancellationToken)
    {
        await using var db = database.CreateContext();
        return await db.Orders.AsNoTracking().SingleOrDefaultAsync(o => o.OrderId == orderId, cancellationToken);
    }

    public async Task<IReadOnlyList<ProductImageDocument>> QueryImagesAsync(ProductImageQuery query, CancellationToken cancellationToken)
    {
        await using var db = database.CreateContext();
        var images = db.Images.AsNoTracking();
        if (query.Sku is { } sku)
            images = images.Where(i => i.Sku == sku);
        if (query.Status is { } status)
            images = images.Where(i => i.Status == status);
        return await images.OrderByDescending(i => i.UploadedAt).ThenBy(i => i.ImageId).Take(query.Limit).ToListAsync(cancellationToken);
    }

    public async Task<ReadModelFreshness> OrdersFreshnessAsync(CancellationToken cancellationToken)
    {
        await using var db = database.CreateContext();
        return new ReadModelFreshness(
            await db.Orders.MaxAsync(o => (DateTime?)o.LastEventAt, cancellationToken),
            await db.Orders.MaxAsync(o => (DateTime?)o.UpdatedAt, cancellationToken));
    }

    public async Task<ReadModelFreshness> ImagesFreshnessAsync(CancellationToken cancellationToken)
    {
        await using var db = database.CreateContext();
        return new ReadModelFreshness(
            await db.Images.MaxAsync(i => (DateTime?)i.LastEventAt, cancellationToken),
            await db.Images.MaxAsync(i => (DateTime?)i.UpdatedAt, cancellationToken));
    }

    /// <summary>
    /// A rebuild is one transaction on the live tables: it empties them and writes the replayed documents; readers see
    /// the old read model until the commit swaps the new one in at once (PostgreSQL's snapshots, SQLite's write-ahead
    /// log). Live batches that meet the rebuild's rows wait for it, then find them changed and apply again.
    /// </summary>
    public async Task<IReadModelRebuild> BeginRebuildAsync(CancellationToken cancellationToken)
    {
        var connection = database.CreateConnection();
        await connection.OpenAsync(cancellationToken);
        var transaction = await connection.BeginTransactionAsync(cancellationToken);
        try
        {
            await using var db = database.CreateContext(connection);
            await db.Database.UseTransactionAsync(transaction, cancellationToken);
            await db.Orders.ExecuteDeleteAsync(cancellationToken);
            await db.Images.ExecuteDeleteAsync(cancellationToken);
            return new Rebuild(database, connection, transaction);
        }
        catch
        {
            await transaction.DisposeAsync();
            await connection.DisposeAsync();
            throw;
        }
    }

    sealed class Rebuild : IReadModelRebuild
    {
        readonly DbConnection _connection;
        readonly DbTransaction _transaction;
        readonly RelationalDocumentWrites _writes;

        public Rebuild(RelationalReadModelDatabase database, DbConnection connection, DbTransaction transaction)
        {
            _connection = connection;
            _transaction = transaction;
            _writes = new RelationalDocumentWrites(() =>
            {
                var db = database.CreateContext(connection);
                db.Database.UseTransaction(transaction);
                return db;
            });
        }

        public Task<IReadOnlyDictionary<Guid, OrderSummary>> FindOrdersAsync(IReadOnlyCollection<Guid> orderIds, CancellationToken cancellationToken) =>
            _writes.FindOrdersAsync(orderIds, cancellationToken);

        public Task<IReadOnlyDictionary<Guid, ProductImageDocument>> FindImagesAsync(IReadOnlyCollection<Guid> imageIds,
            CancellationToken cancellationToken) =>
            _writes.FindImagesAsync(imageIds, cancellationToken);

        public Task<IReadOnlyList<RejectedDocument>> WriteAsync(IReadOnlyCollection<OrderSummary> orders,
            IReadOnlyCollection<ProductImageDocument> images, CancellationToken cancellationToken) =>
            _writes.WriteAsync(orders, images, cancellationToken);

        public Task SwapAsync(CancellationToken cancellationToken) => _transaction.CommitAsync(cancellationToken);

        public async ValueTask DisposeAsync()
        {
            await _transaction.DisposeAsync();
            await _connection.DisposeAsync();
        }
    }
}

/// <summary>The words of a full-text query: lower case, split on white space, at most a few.</summary>
static class SearchWords
{
    public const int MaxWords = 8;

    public static IReadOnlyList<string> Of(string? text) =>
        string.IsNullOrWhiteSpace(text)
            ? []
            : text.ToLowerInvariant().Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries).Distinct().Take(MaxWords).ToList();
}
