using System.Text.Json;
using Elastic.Transport;
using Shop.ReadModel.Elasticsearch;
using Shop.Search.Tests.Infrastructure;
using HttpMethod = Elastic.Transport.HttpMethod;

namespace Shop.Search.Tests.ReadModel;

/// <summary>
/// The REST behaviour the adapter relies on, asked in raw requests as Elastic's documentation describes it: on the peer
/// these check the peer against the documentation; with SHOP_TEST_ELASTICSEARCH set they check the documentation's
/// reading against a real server.
/// </summary>
[Trait("Category", "NoTransport")]
public sealed class When_the_adapter_relies_on_Elasticsearch_REST_behaviour(ElasticsearchStores stores) : IClassFixture<ElasticsearchStores>
{
    static readonly CancellationToken None = CancellationToken.None;

    async Task<(ITransport Transport, string Prefix)> Initialised()
    {
        var options = stores.NewOptions();
        var client = ElasticsearchClientFactory.Create(options);
        await new ElasticsearchReadModelStore(client, options, TimeProvider.System).InitializeAsync(None);
        return (client.Transport, options.IndexPrefix);
    }

    static async Task<(int Status, JsonElement Body)> Send(ITransport transport, HttpMethod method, string path, string? body = null)
    {
        var response = body is null
            ? await transport.RequestAsync<StringResponse>(method, path, None)
            : await transport.RequestAsync<StringResponse>(method, path, PostData.String(body), None);
        var json = string.IsNullOrEmpty(response.Body) ? default : JsonDocument.Parse(response.Body).RootElement.Clone();
        return (response.ApiCallDetails.HttpStatusCode ?? 0, json);
    }

    static string Doc(string id) =>
        $$"""{"order_id":"{{id}}","status":"Submitted","sort_key":"k-{{id}}","placed_at":"2026-11-01T08:00:00Z","search_text":"mug"}""";

    [Fact]
    public async Task Should_report_each_bulk_item_on_its_own_with_409_for_an_external_version_not_above_the_stored_one()
    {
        var (transport, prefix) = await Initialised();
        var alias = $"{prefix}orders";
        var first = await Send(transport, HttpMethod.POST, "/_bulk?refresh=wait_for",
            $"{{\"index\":{{\"_index\":\"{alias}\",\"_id\":\"a\",\"version\":2,\"version_type\":\"external\"}}}}\n{Doc("a")}\n");
        Assert.Equal(200, first.Status);
        Assert.False(first.Body.GetProperty("errors").GetBoolean());

        var second = await Send(transport, HttpMethod.POST, "/_bulk?refresh=wait_for",
            $"{{\"index\":{{\"_index\":\"{alias}\",\"_id\":\"a\",\"version\":2,\"version_type\":\"external\"}}}}\n{Doc("a")}\n" +
            $"{{\"index\":{{\"_index\":\"{alias}\",\"_id\":\"b\",\"version\":1,\"version_type\":\"external\"}}}}\n{Doc("b")}\n" +
            $"{{\"index\":{{\"_index\":\"{alias}\",\"_id\":\"c\",\"version\":1,\"version_type\":\"external\"}}}}\n{{\"no_such_field\":1}}\n" +
            $"{{\"index\":{{\"_index\":\"{alias}\",\"_id\":\"a\",\"version\":3,\"version_type\":\"external\"}}}}\n{Doc("a")}\n");

        Assert.Equal(200, second.Status);
        Assert.True(second.Body.GetProperty("errors").GetBoolean());
        var items = second.Body.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("index")).ToList();
        Assert.Equal([409, 201, 400, 200], items.Select(i => i.GetProperty("status").GetInt32()));
        Assert.Equal("version_conflict_engine_exception", items[0].GetProperty("error").GetProperty("type").GetString());
        Assert.Equal("strict_dynamic_mapping_exception", items[2].GetProperty("error").GetProperty("type").GetString());
        Assert.Equal(3, items[3].GetProperty("_version").GetInt64());
        // Written through the alias, the documents live in the index behind it.
        Assert.Equal($"{prefix}orders-000001", items[1].GetProperty("_index").GetString());
    }

    [Fact]
    public async Task Should_apply_all_alias_actions_or_none()
    {
        var (transport, prefix) = await Initialised();
        var fresh = $"{prefix}orders-fresh";
        Assert.Equal(200, (await Send(transport, HttpMethod.PUT, $"/{fresh}")).Status);

        var refused = await Send(transport, HttpMethod.POST, "/_aliases",
            $"{{\"actions\":[{{\"add\":{{\"index\":\"{fresh}\",\"alias\":\"{prefix}orders\"}}}},{{\"remove_index\":{{\"index\":\"{prefix}no-such-index\"}}}}]}}");

        Assert.Equal(404, refused.Status);
        var aliases = await Send(transport, HttpMethod.GET, $"/_alias/{prefix}orders");
        Assert.Equal([$"{prefix}orders-000001"], aliases.Body.EnumerateObject().Select(p => p.Name));
        Assert.Equal(200, (await Send(transport, HttpMethod.DELETE, $"/{fresh}")).Status);
    }

    [Fact]
    public async Task Should_search_with_search_after_in_keyword_order_and_match_every_analysed_word()
    {
        var (transport, prefix) = await Initialised();
        var alias = $"{prefix}orders";
        var bulk = string.Concat(new[] { "a", "b", "c", "d" }.Select(id =>
            $"{{\"index\":{{\"_index\":\"{alias}\",\"_id\":\"{id}\"}}}}\n" +
            $$"""{"order_id":"{{id}}","sort_key":"k-{{id}}","search_text":"{{(id == "c" ? "Cotton TEE-001" : "ceramic mug-001")}}"}""" + "\n"));
        Assert.Equal(200, (await Send(transport, HttpMethod.POST, "/_bulk?refresh=true", bulk)).Status);

        var page = await Send(transport, HttpMethod.POST, $"/{alias}/_search",
            """{"size":2,"sort":[{"sort_key":{"order":"desc"}}],"search_after":["k-d"],"query":{"bool":{"must":[{"match":{"search_text":{"query":"MUG-001 ceramic","operator":"and"}}}]}}}""");

        Assert.Equal(200, page.Status);
        var hits = page.Body.GetProperty("hits").GetProperty("hits").EnumerateArray().ToList();
        Assert.Equal(["b", "a"], hits.Select(h => h.GetProperty("_id").GetString()));
        Assert.Equal(["k-b", "k-a"], hits.Select(h => h.GetProperty("sort")[0].GetString()));
    }
}
