using System.Text.Json;
using Elastic.Clients.Elasticsearch;
using Elastic.Clients.Elasticsearch.Serialization;
using Elastic.Transport;

namespace Shop.ReadModel.Elasticsearch;

public static class ElasticsearchClientFactory
{
    /// <summary>
    /// A client for the read model: documents in snake_case as the templates map them, basic authentication when a user
    /// is configured, a pinned certificate fingerprint for a self-signed cluster.
    /// </summary>
    public static ElasticsearchClient Create(ElasticsearchReadModelOptions options)
    {
        var settings = new ElasticsearchClientSettings(new SingleNodePool(options.Url),
            (_, clientSettings) => new DefaultSourceSerializer(clientSettings, json => json.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower));
        if (!string.IsNullOrEmpty(options.Username))
            settings = settings.Authentication(new BasicAuthentication(options.Username, options.Password ?? ""));
        if (!string.IsNullOrEmpty(options.CertificateFingerprint))
            settings = settings.CertificateFingerprint(options.CertificateFingerprint);
        return new ElasticsearchClient(settings.RequestTimeout(TimeSpan.FromSeconds(30)));
    }
}
