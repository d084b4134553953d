using Elastic.Transport.Products.Elasticsearch;

namespace Shop.ReadModel.Elasticsearch;

/// <summary>Elasticsearch did not do what was asked (unreachable, refused, or not now); the message carries its answer.</summary>
public sealed class ReadModelStoreException : Exception
{
    public ReadModelStoreException(string message) : base(message)
    {
    }

    public ReadModelStoreException(string message, ElasticsearchResponse response)
        : base($"{message} {Describe(response)}", response.ApiCallDetails?.OriginalException)
    {
    }

    static string Describe(ElasticsearchResponse response) =>
        response.ElasticsearchServerError is { } error
            ? $"HTTP {error.Status}: {error.Error?.Type}: {error.Error?.Reason}"
            : $"HTTP {response.ApiCallDetails?.HttpStatusCode}: {response.ApiCallDetails?.OriginalException?.Message}";
}
