namespace Shop.ReadModel.Elasticsearch;

/// <summary>Where one read model's documents are written and read: the live aliases, or a rebuild's own indices.</summary>
/// <param name="Orders">An alias (live) or a concrete index (a rebuild).</param>
public sealed record ReadModelIndices(string Orders, string Images)
{
    public static ReadModelIndices Aliases(string prefix) => new($"{prefix}orders", $"{prefix}images");

    /// <summary>
    /// Fresh concrete index names; the template's pattern (<c>{prefix}orders-*</c>) gives them their mappings. Sortable by
    /// creation time, which helps whoever looks at the cluster.
    /// </summary>
    public static ReadModelIndices Fresh(string prefix, DateTime now)
    {
        var suffix = $"{now:yyyyMMdd-HHmmssfff}-{Guid.NewGuid():N}"[..27];
        return new($"{prefix}orders-{suffix}", $"{prefix}images-{suffix}");
    }

    /// <summary>The indices the aliases point at when a store is first initialised.</summary>
    public static ReadModelIndices First(string prefix) => new($"{prefix}orders-000001", $"{prefix}images-000001");
}
