using Elastic.Clients.Elasticsearch;
using Elastic.Clients.Elasticsearch.Core.Bulk;
using Shop.ReadModel.Documents;
using Shop.ReadModel.Storage;

namespace Shop.ReadModel.Elasticsearch;

/// <summary>
/// Reads by id (<c>_mget</c>, real time) and bulk writes (<c>_bulk</c>) on one pair of indices or aliases, for the live
/// store and for a rebuild.
/// <para>
/// Concurrency between writers is Elasticsearch's external versioning with the document's revision as the version: a
/// document read at revision r is indexed with version r + 1, which Elasticsearch accepts only while the stored version is
/// below it. Two writers that read the same revision cannot both win; the loser's item comes back 409 and the batch is read
/// and applied again, as on the relational store. Unlike a transaction, the other items of the bulk are written meanwhile;
/// the projections converge, so applying their events again changes nothing.
/// </para>
/// </summary>
sealed class ElasticsearchDocumentWrites(ElasticsearchClient client, ReadModelIndices indices, Refresh? refresh) : IReadModelWriter
{
    public async Task<IReadOnlyDictionary<Guid, OrderSummary>> FindOrdersAsync(IReadOnlyCollection<Guid> orderIds, CancellationToken cancellationToken) =>
        await Find<OrderSummary>(indices.Orders, orderIds, (order, revision) => order.Revision = revision, cancellationToken);

    public async Task<IReadOnlyDictionary<Guid, ProductImageDocument>> FindImagesAsync(IReadOnlyCollection<Guid> imageIds,
        CancellationToken cancellationToken) =>
        await Find<ProductImageDocument>(indices.Images, imageIds, (image, revision) => image.Revision = revision, cancellationToken);

    async Task<Dictionary<Guid, TDocument>> Find<TDocument>(string index, IReadOnlyCollection<Guid> ids, Action<TDocument, long> setRevision,
        CancellationToken cancellationToken) where TDocument : class
    {
        var found = new Dictionary<Guid, TDocument>();
        if (ids.Count == 0)
            return found;

        var response = await client.MultiGetAsync<TDocument>(new MultiGetRequest(index) { Ids = new Ids(ids.Select(DocumentId)) }, cancellationToken);
        if (!response.IsValidResponse)
            throw new ReadModelStoreException($"Reading {ids.Count} documents from {index} failed.", response);

        foreach (var item in response.Docs)
        {
            if (item.Value2 is { } error)
                throw new InvalidOperationException($"Reading document {error.Id} from {index} failed: {error.Error.Type}: {error.Error.Reason}");
            var result = item.Value1!;
            if (!result.Found || result.Source is null)
                continue;
            // The stored _version is the revision; the copy inside _source is what that write carried, the same number.
            setRevision(result.Source, result.Version ?? 0);
            found[Guid.Parse(result.Id)] = result.Source;
        }

        return found;
    }

    public async Task<IReadOnlyList<RejectedDocument>> WriteAsync(IReadOnlyCollection<OrderSummary> orders,
        IReadOnlyCollection<ProductImageDocument> images, CancellationToken cancellationToken)
    {
        var writes = orders.Select(order => new Write("order", order.OrderId, order.Revision, r => order.Revision = r,
                revision => new BulkIndexOperation<OrderSummary>(order, indices.Orders) { Id = DocumentId(order.OrderId), Version = revision, VersionType = VersionType.External }))
            .Concat(images.Select(image => new Write("image", image.ImageId, image.Revision, r => image.Revision = r,
                revision => new BulkIndexOperation<ProductImageDocument>(image, indices.Images) { Id = DocumentId(image.ImageId), Version = revision, VersionType = VersionType.External })))
            .ToList();
        if (writes.Count == 0)
            return [];

        var operations = new List<IBulkOperation>(writes.Count);
        foreach (var write in writes)
        {
            // The revision goes into the source too, so the document written is the one the caller holds.
            write.SetRevision(write.ReadRevision + 1);
            operations.Add(write.Operation(write.ReadRevision + 1));
        }

        BulkResponse response;
        try
        {
            response = await client.BulkAsync(new BulkRequest { Operations = operations, Refresh = refresh }, cancellationToken);
        }
        catch
        {
            writes.ForEach(write => write.SetRevision(write.ReadRevision));
            throw;
        }

        if (!response.IsValidResponse && !response.Errors || response.Items.Count != writes.Count)
        {
            writes.ForEach(write => write.SetRevision(write.ReadRevision));
            throw new ReadModelStoreException($"The bulk write of {writes.Count} documents failed.", response);
        }

        var rejected = new List<RejectedDocument>();
        var conflicts = 0;
        var unavailable = new List<string>();
        foreach (var (write, item) in writes.Zip(response.Items))
        {
            if (item.Status is >= 200 and < 300)
                continue;

            // Not written: the document keeps the revision it was read with, for a second attempt.
            write.SetRevision(write.ReadRevision);
            var reason = item.Error is { } error ? $"{error.Type}: {error.Reason}" : $"status {item.Status}";
            if (item.Status == 409)
                conflicts++;
            else if (item.Status == 429 || item.Status >= 500)
                unavailable.Add($"{write.Kind} {write.Id}: {reason}");
            else
                rejected.Add(new RejectedDocument(write.Kind, write.Id, reason));
        }

        // Retryable refusals (a full write queue, a shard not ready) are not the document's fault: the batch is retried.
        if (unavailable.Count > 0)
            throw new ReadModelStoreException($"Elasticsearch could not take {unavailable.Count} documents for now: {string.Join("; ", unavailable.Take(3))}");
        if (conflicts > 0)
            throw new ReadModelConflictException($"{conflicts} documents of the batch were written by someone else since they were read.");
        return rejected;
    }

    static string DocumentId(Guid id) => id.ToString("D");

    sealed record Write(string Kind, Guid Id, long ReadRevision, Action<long> SetRevision, Func<long, IBulkOperation> Operation);
}
