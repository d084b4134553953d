using Elastic.Clients.Elasticsearch;
using Elastic.Clients.Elasticsearch.Core.Search;
using Elastic.Clients.Elasticsearch.IndexManagement;
using Elastic.Clients.Elasticsearch.QueryDsl;
using Elastic.Transport;
using Shop.ReadModel.Documents;
using Shop.ReadModel.Relational;
using Shop.ReadModel.Storage;

namespace Shop.ReadModel.Elasticsearch;

/// <summary>
/// The read model in Elasticsearch: an index per document kind behind an alias (<c>{prefix}orders</c>,
/// <c>{prefix}images</c>), mappings from index templates, bulk writes with per-item results, and a rebuild that fills
/// fresh indices and swaps both aliases in one atomic <c>_aliases</c> call.
/// </summary>
public sealed class ElasticsearchReadModelStore : IReadModelStore
{
    readonly ElasticsearchClient _client;
    readonly string _prefix;
    readonly ReadModelIndices _aliases;
    readonly ElasticsearchDocumentWrites _writes;
    readonly TimeProvider _time;
    readonly string _refreshInterval;

    public ElasticsearchReadModelStore(ElasticsearchClient client, ElasticsearchReadModelOptions options, TimeProvider time)
    {
        _client = client;
        _prefix = options.IndexPrefix;
        _time = time;
        _refreshInterval = options.RefreshInterval;
        _aliases = ReadModelIndices.Aliases(_prefix);
        var refresh = Enum.TryParse<Refresh>(options.Refresh, ignoreCase: true, out var value)
            ? value
            : throw new InvalidOperationException($"ReadModel:Elasticsearch:Refresh is '{options.Refresh}'; use WaitFor, True or False.");
        _writes = new ElasticsearchDocumentWrites(client, _aliases, refresh);
    }

    /// <summary>Puts the index templates (always: they may have changed) and, the first time, the indices and aliases.</summary>
    public async Task InitializeAsync(CancellationToken cancellationToken)
    {
        foreach (var (name, template) in ElasticsearchIndexTemplates.For(_prefix, _refreshInterval))
        {
            var response = await _client.Transport.RequestAsync<StringResponse>(Elastic.Transport.HttpMethod.PUT, $"/_index_template/{name}",
                PostData.String(template), cancellationToken);
            if (!response.ApiCallDetails.HasSuccessfulStatusCode)
                throw new ReadModelStoreException($"Putting the index template {name} failed: HTTP {response.ApiCallDetails.HttpStatusCode} {response.Body}");
        }

        var first = ReadModelIndices.First(_prefix);
        foreach (var (alias, index) in new[] { (_aliases.Orders, first.Orders), (_aliases.Images, first.Images) })
        {
            var exists = await _client.Indices.ExistsAliasAsync(new ExistsAliasRequest(alias), cancellationToken);
            if (exists.Exists)
                continue;
            var created = await _client.Indices.CreateAsync(new CreateIndexRequest(index) { Aliases = new Dictionary<Name, Alias> { [alias] = new() } },
                cancellationToken);
            // Two instances starting at once both try; the second finds the index there, which is what it wanted.
            if (!created.IsValidResponse && created.ElasticsearchServerError?.Error?.Type != "resource_already_exists_exception")
                throw new ReadModelStoreException($"Creating the index {index} behind {alias} failed.", created);
        }
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
        var filters = new List<Query>();
        if (query.CustomerId is { } customerId)
            filters.Add(new TermQuery("customer_id", customerId.ToString("D")));
        if (query.Status is { } status)
            filters.Add(new TermQuery("status", status));
        if (query.From is not null || query.To is not null)
            filters.Add(new DateRangeQuery("placed_at")
            {
                Gte = query.From is { } from ? DateMath.Anchored(Iso(from)) : null,
                Lt = query.To is { } to ? DateMath.Anchored(Iso(to)) : null,
            });

        var must = new List<Query>();
        // The same words as the relational store's, each of which must match a word of the email, a SKU or a product name.
        if (SearchWords.Of(query.Text) is { Count: > 0 } words)
            must.Add(new MatchQuery("search_text", string.Join(' ', words)) { Operator = Operator.And });

        var request = new SearchRequest(_aliases.Orders)
        {
            Query = new BoolQuery { Filter = filters, Must = must },
            Sort = [new FieldSort("sort_key") { Order = SortOrder.Desc }],
            Size = query.Limit + 1,
            TrackTotalHits = new TrackHits(false),
        };
        if (query.After is { } after)
            request.SearchAfter = [FieldValue.String(after)];

        var page = await Search<OrderSummary>(request, cancellationToken);
        return page.Count > query.Limit
            ? new OrderSummaryPage(page[..query.Limit], page[query.Limit - 1].SortKey)
            : new OrderSummaryPage(page, null);
    }

    public async Task<OrderSummary?> FindOrderAsync(Guid orderId, CancellationToken cancellationToken) =>
        (await FindOrdersAsync([orderId], cancellationToken)).GetValueOrDefault(orderId);

    public async Task<IReadOnlyList<ProductImageDocument>> QueryImagesAsync(ProductImageQuery query, CancellationToken cancellationToken)
    {
        var filters = new List<Query>();
        if (query.Sku is { } sku)
            filters.Add(new TermQuery("sku", sku));
        if (query.Status is { } status)
            filters.Add(new TermQuery("status", status));
        return await Search<ProductImageDocument>(new SearchRequest(_aliases.Images)
        {
            Query = new BoolQuery { Filter = filters },
            Sort = [new FieldSort("uploaded_at") { Order = SortOrder.Desc }, new FieldSort("image_id") { Order = SortOrder.Asc }],
            Size = query.Limit,
            TrackTotalHits = new TrackHits(false),
        }, cancellationToken);
    }

    public async Task<ReadModelFreshness> OrdersFreshnessAsync(CancellationToken cancellationToken) =>
        new((await Newest<OrderSummary>(_aliases.Orders, "last_event_at", cancellationToken))?.LastEventAt,
            (await Newest<OrderSummary>(_aliases.Orders, "updated_at", cancellationToken))?.UpdatedAt);

    public async Task<ReadModelFreshness> ImagesFreshnessAsync(CancellationToken cancellationToken) =>
        new((await Newest<ProductImageDocument>(_aliases.Images, "last_event_at", cancellationToken))?.LastEventAt,
            (await Newest<ProductImageDocument>(_aliases.Images, "updated_at", cancellationToken))?.UpdatedAt);

    /// <summary>
    /// The document with the highest <paramref name="field"/>: a sort on a <c>date_nanos</c> field keeps the full
    /// precision, which a max aggregation (milliseconds, as a double) would not.
    /// </summary>
    async Task<TDocument?> Newest<TDocument>(string alias, string field, CancellationToken cancellationToken) where TDocument : class =>
        (await Search<TDocument>(new SearchRequest(alias)
        {
            Sort = [new FieldSort(field) { Order = SortOrder.Desc }],
            Size = 1,
            TrackTotalHits = new TrackHits(false),
        }, cancellationToken)).FirstOrDefault();

    async Task<List<TDocument>> Search<TDocument>(SearchRequest request, CancellationToken cancellationToken) where TDocument : class
    {
        var response = await _client.SearchAsync<TDocument>(request, cancellationToken);
        if (!response.IsValidResponse)
            throw new ReadModelStoreException($"Searching {request.Indices} failed.", response);
        return response.Hits.Select(hit => hit.Source!).ToList();
    }

    static string Iso(DateTime value) => value.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'");

    /// <summary>
    /// Fresh indices beside the live ones, written without waiting for refreshes; the swap refreshes them and moves both
    /// aliases in one <c>_aliases</c> request, which also deletes the indices they pointed at (<c>remove_index</c>):
    /// readers see the old read model until that request, the new one from it, never a mix or nothing.
    /// </summary>
    public async Task<IReadModelRebuild> BeginRebuildAsync(CancellationToken cancellationToken)
    {
        var fresh = ReadModelIndices.Fresh(_prefix, _time.GetUtcNow().UtcDateTime);
        var rebuild = new Rebuild(this, fresh);
        try
        {
            foreach (var index in new[] { fresh.Orders, fresh.Images })
            {
                var created = await _client.Indices.CreateAsync(new CreateIndexRequest(index), cancellationToken);
                if (!created.IsValidResponse)
                    throw new ReadModelStoreException($"Creating the index {index} for a rebuild failed.", created);
            }

            return rebuild;
        }
        catch
        {
            await rebuild.DisposeAsync();
            throw;
        }
    }

    sealed class Rebuild(ElasticsearchReadModelStore store, ReadModelIndices fresh) : IReadModelRebuild
    {
        readonly ElasticsearchDocumentWrites _writes = new(store._client, fresh, Refresh.False);
        bool _swapped;

        public Task<IReadOnlyDictionary<Guid, OrderSummary>> FindOrdersAsync(IReadOnlyCollection<Guid> orderIds, CancellationToken cancellationToken) =>
            _writes.FindOrdersAsync(orderIds, cancellationToken);

        public Task<IReadOnlyDictionary<Guid, ProductImageDocument>> FindImagesAsync(IReadOnlyCollection<Guid> imageIds,
            CancellationToken cancellationToken) =>
            _writes.FindImagesAsync(imageIds, cancellationToken);

        public Task<IReadOnlyList<RejectedDocument>> WriteAsync(IReadOnlyCollection<OrderSummary> orders,
            IReadOnlyCollection<ProductImageDocument> images, CancellationToken cancellationToken) =>
            _writes.WriteAsync(orders, images, cancellationToken);

        public async Task SwapAsync(CancellationToken cancellationToken)
        {
            var client = store._client;
            var refreshed = await client.Indices.RefreshAsync(new RefreshRequest(Indices.Parse($"{fresh.Orders},{fresh.Images}")), cancellationToken);
            if (!refreshed.IsValidResponse)
                throw new ReadModelStoreException("Refreshing the rebuilt indices failed.", refreshed);

            var actions = new List<IndexUpdateAliasesAction>();
            foreach (var (alias, index) in new[] { (store._aliases.Orders, fresh.Orders), (store._aliases.Images, fresh.Images) })
            {
                actions.Add(new AddAction { Index = index, Alias = alias, IsWriteIndex = true });
                foreach (var old in await IndicesBehind(alias, cancellationToken))
                    actions.Add(new RemoveIndexAction { Index = old });
            }

            var swapped = await client.Indices.UpdateAliasesAsync(new UpdateAliasesRequest { Actions = actions }, cancellationToken);
            if (!swapped.IsValidResponse)
                throw new ReadModelStoreException("Swapping the rebuilt indices in failed.", swapped);
            _swapped = true;
        }

        async Task<IReadOnlyCollection<string>> IndicesBehind(string alias, CancellationToken cancellationToken)
        {
            var response = await store._client.Indices.GetAliasAsync(new GetAliasRequest(Names.Parse(alias)), cancellationToken);
            if (response.ApiCallDetails.HttpStatusCode == 404)
                return [];
            if (!response.IsValidResponse)
                throw new ReadModelStoreException($"Reading the alias {alias} failed.", response);
            return response.Aliases?.Keys.ToList() ?? [];
        }

        public async ValueTask DisposeAsync()
        {
            if (_swapped)
                return;
            // Not swapped in: the fresh indices are dropped. A failure here leaves an unused index, named as a rebuild's.
            await store._client.Indices.DeleteAsync(new DeleteIndexRequest(Indices.Parse($"{fresh.Orders},{fresh.Images}")) { IgnoreUnavailable = true });
        }
    }
}
