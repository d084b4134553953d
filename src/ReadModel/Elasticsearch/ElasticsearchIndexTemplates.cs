namespace Shop.ReadModel.Elasticsearch;

/// <summary>The index templates (<c>Templates/*.json</c>, embedded): explicit, strict mappings for each document kind.</summary>
static class ElasticsearchIndexTemplates
{
    public static IEnumerable<(string Name, string Body)> For(string prefix, string refreshInterval)
    {
        foreach (var kind in new[] { "orders", "images" })
        {
            using var stream = typeof(ElasticsearchIndexTemplates).Assembly.GetManifestResourceStream($"Shop.ReadModel.Elasticsearch.Templates.{kind}.json")
                               ?? throw new InvalidOperationException($"The {kind} index template is not embedded.");
            using var reader = new StreamReader(stream);
            yield return ($"{prefix}{kind}", reader.ReadToEnd()
                .Replace("{prefix}", prefix, StringComparison.Ordinal)
                .Replace("{refresh_interval}", refreshInterval, StringComparison.Ordinal));
        }
    }
}
