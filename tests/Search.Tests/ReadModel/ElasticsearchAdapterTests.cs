using System.Text.Json;
using Elastic.Transport;
using Shop.ReadModel;
using Shop.ReadModel.Documents;
using Shop.ReadModel.Elasticsearch;
using Shop.ReadModel.Projections;
using Shop.ReadModel.Storage;
using Shop.Search.Tests.Infrastructure;
using static Shop.Search.Tests.Infrastructure.OrderHistories;

namespace Shop.Search.Tests.ReadModel;

/// <summary>
/// What only the Elasticsearch adapter has to show: per-item results of a bulk write, versions guarding each document,
/// the alias swap of a rebuild, and visibility after refresh. On the peer, or on SHOP_TEST_ELASTICSEARCH when set.
/// </summary>
[Trait("Category", "NoTransport")]
public sealed class When_the_read_model_is_written_to_Elasticsearch(ElasticsearchStores stores) : IClassFixture<ElasticsearchStores>
{
    static readonly CancellationToken None = CancellationToken.None;

    [Fact]
    public async Task Should_write_the_rest_of_a_bulk_and_name_the_document_Elasticsearch_refused_with_its_reason()
    {
        var projection = new Projection(await stores.CreateStore());
        var good = Many(4);
        var badOrder = Guid.NewGuid();
        // An email longer than one indexed term may be (32 766 bytes): the keyword field cannot take it.
        var bad = Order(badOrder, Guid.NewGuid(), Start, Outcome.Confirmed, email: new string('x', 40_000) + "@example.com");

        var result = await projection.Apply([.. good, .. bad]);

        var rejected = Assert.Single(result.Rejected);
        Assert.Equal(("order", badOrder), (rejected.Kind, rejected.Id));
        Assert.Contains("immense term", rejected.Reason);
        Assert.Contains("email", rejected.Reason);
        Assert.Equal(4, (await projection.Orders(good)).Count);
        Assert.Empty(await projection.Orders(bad));
        Assert.Equal(4, result.Written);
    }

    [Fact]
    public async Task Should_refuse_a_document_changed_since_it_was_read_and_still_write_the_others_of_the_bulk()
    {
        var store = await stores.CreateStore();
        var projection = new Projection(store);
        var first = Order(Guid.NewGuid(), Guid.NewGuid(), Start, Outcome.StillPending);
        await projection.Apply(first);
        var orderId = ReadModelEvents.OrderIdOf(first[0].Message)!.Value;

        // Two writers read revision 1; the first writes revision 2, so the second's copy is stale.
        var stale = (await store.FindOrdersAsync([orderId], None))[orderId];
        var current = (await store.FindOrdersAsync([orderId], None))[orderId];
        current.Status = OrderSummaryStatus.Confirmed;
        Assert.Empty(await store.WriteAsync([current], [], None));
        stale.Status = OrderSummaryStatus.Cancelled;
        var other = new OrderSummary { OrderId = Guid.NewGuid(), SortKey = "x", PlacedAt = Start, LastEventAt = Start, UpdatedAt = Start };

        await Assert.ThrowsAsync<ReadModelConflictException>(() => store.WriteAsync([stale, other], [], None));

        Assert.Equal(1, stale.Revision);
        var stored = await store.FindOrdersAsync([orderId, other.OrderId], None);
        Assert.Equal((OrderSummaryStatus.Confirmed, 2L), (stored[orderId].Status, stored[orderId].Revision));
        Assert.Equal(1, stored[other.OrderId].Revision);
    }

    [Fact]
    public async Task Should_swap_the_aliases_to_the_rebuilt_indices_and_drop_the_old_ones()
    {
        var options = stores.NewOptions();
        var client = ElasticsearchClientFactory.Create(options);
        var store = new ElasticsearchReadModelStore(client, options, TimeProvider.System);
        await store.InitializeAsync(None);
        var before = await IndicesBehind("orders");
        Assert.Equal([$"{options.IndexPrefix}orders-000001"], before);

        await using (var rebuild = await store.BeginRebuildAsync(None))
        {
            await new Projection(store).Projector.ProjectAsync(rebuild, Many(2), None);
            await rebuild.SwapAsync(None);
        }

        var orders = Assert.Single(await IndicesBehind("orders"));
        Assert.NotEqual(before[0], orders);
        Assert.StartsWith($"{options.IndexPrefix}orders-", orders);
        Assert.Single(await IndicesBehind("images"));
        var old = await client.Transport.RequestAsync<StringResponse>(Elastic.Transport.HttpMethod.GET, $"/{before[0]}/_search", None);
        Assert.Equal(404, old.ApiCallDetails.HttpStatusCode);
        Assert.Equal(2, (await store.QueryOrdersAsync(new OrderSummaryQuery(), None)).Items.Count);

        async Task<List<string>> IndicesBehind(string kind)
        {
            var response = await client.Transport.RequestAsync<StringResponse>(Elastic.Transport.HttpMethod.GET, $"/_alias/{options.IndexPrefix}{kind}", None);
            Assert.Equal(200, response.ApiCallDetails.HttpStatusCode);
            return JsonDocument.Parse(response.Body).RootElement.EnumerateObject().Select(p => p.Name).ToList();
        }
    }

    [Fact]
    public async Task Should_leave_documents_written_without_refresh_unsearchable_until_the_index_refreshes()
    {
        var options = stores.NewOptions();
        options.Refresh = "False";
        // No scheduled refresh either, so nothing but the explicit refresh below can make the documents searchable.
        options.RefreshInterval = "-1";
        var client = ElasticsearchClientFactory.Create(options);
        var store = new ElasticsearchReadModelStore(client, options, TimeProvider.System);
        await store.InitializeAsync(None);
        var events = Many(3);

        await new Projection(store).Apply(events);

        // Read by id in real time at once; searchable only once the index has been refreshed.
        Assert.Equal(3, (await new Projection(store).Orders(events)).Count);
        Assert.Empty((await store.QueryOrdersAsync(new OrderSummaryQuery(), None)).Items);
        var refreshed = await client.Transport.RequestAsync<StringResponse>(Elastic.Transport.HttpMethod.POST, $"/{options.IndexPrefix}orders/_refresh", None);
        Assert.Equal(200, refreshed.ApiCallDetails.HttpStatusCode);
        Assert.Equal(3, (await store.QueryOrdersAsync(new OrderSummaryQuery(), None)).Items.Count);
    }

    [Fact]
    public async Task Should_be_chosen_by_configuration_and_authenticate_with_the_configured_credentials()
    {
        var options = stores.NewOptions();
        IReadModelStore Configured(string? password) => new ServiceCollection()
            .AddReadModelStore(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["ReadModel:Store"] = "Elasticsearch",
                ["ReadModel:Elasticsearch:Url"] = options.Url.ToString(),
                ["ReadModel:Elasticsearch:Username"] = options.Username,
                ["ReadModel:Elasticsearch:Password"] = password,
                ["ReadModel:Elasticsearch:CertificateFingerprint"] = options.CertificateFingerprint,
                ["ReadModel:Elasticsearch:IndexPrefix"] = options.IndexPrefix,
            }).Build())
            .BuildServiceProvider().GetRequiredService<IReadModelStore>();

        var store = Assert.IsType<ElasticsearchReadModelStore>(Configured(options.Password));
        await store.InitializeAsync(None);
        await new Projection(store).Apply(Many(2));

        Assert.Equal(2, (await store.QueryOrdersAsync(new OrderSummaryQuery(), None)).Items.Count);
        var refused = await Assert.ThrowsAsync<ReadModelStoreException>(() => Configured("not-the-password").QueryOrdersAsync(new OrderSummaryQuery(), None));
        Assert.Contains("401", refused.Message);
    }
}
