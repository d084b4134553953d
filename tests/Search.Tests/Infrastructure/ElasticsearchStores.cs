using System.Security.Cryptography;
using Elastic.Clients.Elasticsearch;
using Elastic.Transport;
using Shop.ElasticsearchPeer;
using Shop.ReadModel.Elasticsearch;
using Shop.ReadModel.Storage;

namespace Shop.Search.Tests.Infrastructure;

/// <summary>
/// Each store its own aliases, indices and templates (a prefix of its own) on one Elasticsearch: the real server
/// <c>SHOP_TEST_ELASTICSEARCH</c> names (<c>https://user:password@host:9200</c>; <c>SHOP_TEST_ELASTICSEARCH_FINGERPRINT</c>
/// for a self-signed certificate), or else the peer in tests/ElasticsearchPeer, written from Elastic's REST documentation
/// and started here with a generated password.
/// </summary>
public sealed class ElasticsearchStores : IReadModelStores
{
    public const string ServerVariable = "SHOP_TEST_ELASTICSEARCH";

    readonly string _run = $"shoptest-{Guid.NewGuid():N}"[..17];
    readonly List<ElasticsearchReadModelOptions> _created = [];
    ElasticsearchPeerServer? _peer;
    ElasticsearchReadModelOptions _server = null!;

    public string Name => _peer is null ? "Elasticsearch (real server)" : "Elasticsearch (peer)";

    /// <summary>The peer, when the stores are on it (null on a real server).</summary>
    public ElasticsearchPeerServer? Peer => _peer;

    public async Task InitializeAsync()
    {
        if (Environment.GetEnvironmentVariable(ServerVariable) is { Length: > 0 } url)
        {
            var uri = new Uri(url);
            var credentials = Uri.UnescapeDataString(uri.UserInfo).Split(':', 2);
            _server = new ElasticsearchReadModelOptions
            {
                Url = new UriBuilder(uri) { UserName = "", Password = "" }.Uri,
                Username = credentials[0] is { Length: > 0 } user ? user : null,
                Password = credentials.Length > 1 ? credentials[1] : null,
                CertificateFingerprint = Environment.GetEnvironmentVariable($"{ServerVariable}_FINGERPRINT"),
            };
            return;
        }

        var password = Convert.ToHexString(RandomNumberGenerator.GetBytes(12));
        _peer = await ElasticsearchPeerServer.StartAsync("elastic", password);
        _server = new ElasticsearchReadModelOptions { Url = _peer.Url, Username = "elastic", Password = password };
    }

    public ElasticsearchReadModelOptions NewOptions()
    {
        var options = new ElasticsearchReadModelOptions
        {
            Url = _server.Url,
            Username = _server.Username,
            Password = _server.Password,
            CertificateFingerprint = _server.CertificateFingerprint,
            IndexPrefix = $"{_run}-{_created.Count + 1}-",
        };
        lock (_created)
            _created.Add(options);
        return options;
    }

    public async Task<IReadModelStore> CreateStore()
    {
        var options = NewOptions();
        var store = new ElasticsearchReadModelStore(ElasticsearchClientFactory.Create(options), options, TimeProvider.System);
        await store.InitializeAsync(CancellationToken.None);
        return store;
    }

    public ElasticsearchClient Client() => ElasticsearchClientFactory.Create(_server);

    /// <summary>On a real server, the indices and templates the tests made go again; the peer simply stops.</summary>
    public async Task DisposeAsync()
    {
        if (_peer is not null)
        {
            await _peer.DisposeAsync();
            return;
        }

        var client = Client();
        foreach (var options in _created)
        {
            foreach (var kind in new[] { "orders", "images" })
            {
                var aliases = await client.Transport.RequestAsync<StringResponse>(Elastic.Transport.HttpMethod.GET,
                    $"/_alias/{options.IndexPrefix}{kind}", CancellationToken.None);
                if (aliases.ApiCallDetails.HttpStatusCode == 200)
                {
                    foreach (var index in System.Text.Json.JsonDocument.Parse(aliases.Body).RootElement.EnumerateObject())
                        await client.Transport.RequestAsync<StringResponse>(Elastic.Transport.HttpMethod.DELETE, $"/{index.Name}", CancellationToken.None);
                }

                await client.Transport.RequestAsync<StringResponse>(Elastic.Transport.HttpMethod.DELETE,
                    $"/_index_template/{options.IndexPrefix}{kind}", CancellationToken.None);
            }
        }
    }
}
