namespace Shop.ReadModel.Elasticsearch;

/// <summary><c>ReadModel:Elasticsearch</c>: where the read model's indices live and how the adapter talks to them.</summary>
public sealed class ElasticsearchReadModelOptions
{
    public const string SectionName = "ReadModel:Elasticsearch";

    public Uri Url { get; set; } = new("http://127.0.0.1:9200");
    public string? Username { get; set; }
    public string? Password { get; set; }

    /// <summary>The SHA-256 fingerprint of the server's CA or certificate, for a cluster with a self-signed one.</summary>
    public string? CertificateFingerprint { get; set; }

    /// <summary>
    /// The start of every index, alias and template name the adapter creates: aliases <c>{prefix}orders</c> and
    /// <c>{prefix}images</c>, indices <c>{prefix}orders-…</c>. Several read models (tests, environments) can share a cluster.
    /// </summary>
    public string IndexPrefix { get; set; } = "shop-readmodel-";

    /// <summary>
    /// <c>WaitFor</c> (default): a batch is acknowledged once its documents are searchable, so the freshness the API
    /// reports is what a search sees. <c>False</c> leaves visibility to the index's refresh interval.
    /// </summary>
    public string Refresh { get; set; } = "WaitFor";

    /// <summary>The indices' <c>refresh_interval</c> (the index templates' setting): <c>1s</c>, or <c>-1</c> for none.</summary>
    public string RefreshInterval { get; set; } = "1s";
}
