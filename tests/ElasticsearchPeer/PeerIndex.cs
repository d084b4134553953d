using System.Text.Json.Nodes;

namespace Shop.ElasticsearchPeer;

/// <summary>
/// One index: its documents as last written (what a get or mget reads, in real time) and as of its last refresh (what a
/// search sees), as in Elasticsearch.
/// </summary>
sealed class PeerIndex(string name, PeerMapping mapping, TimeSpan? refreshInterval)
{
    readonly Dictionary<string, StoredDocument> _live = new(StringComparer.Ordinal);
    long _nextSeqNo;

    public string Name => name;
    public PeerMapping Mapping => mapping;
    public TimeSpan? RefreshInterval => refreshInterval;
    public DateTime LastRefresh { get; private set; } = DateTime.UtcNow;

    /// <summary>The documents a search sees: those written before the last refresh.</summary>
    public IReadOnlyCollection<StoredDocument> Searchable { get; private set; } = [];

    public StoredDocument? Get(string id) => _live.GetValueOrDefault(id);

    public void Refresh()
    {
        Searchable = _live.Values.ToList();
        LastRefresh = DateTime.UtcNow;
    }

    /// <summary>
    /// Indexes <paramref name="source"/> under <paramref name="id"/> with the checks of the index API: the mappings, then
    /// the version (<c>version</c> + <c>version_type</c>, or <c>if_seq_no</c> + <c>if_primary_term</c>), then op_type.
    /// </summary>
    public (StoredDocument Document, bool Created) Index(string id, string rawSource, JsonObject source, IndexConditions conditions)
    {
        mapping.Validate(source);
        var current = _live.GetValueOrDefault(id);
        if (conditions.Create && current is not null)
            throw Conflict(id, $"version conflict, document already exists (current version [{current.Version}])");

        long version;
        switch (conditions.VersionType)
        {
            case "external" or "external_gt":
                var external = conditions.Version ?? throw PeerError.BadRequest("Validation Failed: 1: an external version must be provided;");
                if (current is not null && current.Version >= external)
                    throw Conflict(id, $"version conflict, current version [{current.Version}] is higher or equal to the one provided [{external}]");
                version = external;
                break;
            case "external_gte":
                var gte = conditions.Version ?? throw PeerError.BadRequest("Validation Failed: 1: an external version must be provided;");
                if (current is not null && current.Version > gte)
                    throw Conflict(id, $"version conflict, current version [{current.Version}] is higher than the one provided [{gte}]");
                version = gte;
                break;
            case null or "internal":
                if (conditions.Version is not null)
                    throw PeerError.BadRequest("Validation Failed: 1: internal versioning can not be used for optimistic concurrency control. Please use `if_seq_no` and `if_primary_term` instead;");
                if (conditions.IfSeqNo is { } seqNo
                    && (current is null || current.SeqNo != seqNo || conditions.IfPrimaryTerm != StoredDocument.PrimaryTerm))
                    throw Conflict(id, current is null
                        ? $"required seqNo [{seqNo}], primary term [{conditions.IfPrimaryTerm}] but no document was found"
                        : $"required seqNo [{seqNo}], primary term [{conditions.IfPrimaryTerm}]. current document has seqNo [{current.SeqNo}] and primary term [{StoredDocument.PrimaryTerm}]");
                version = (current?.Version ?? 0) + 1;
                break;
            default:
                throw PeerError.BadRequest($"No version type match [{conditions.VersionType}]");
        }

        var stored = new StoredDocument(id, rawSource, source, version, _nextSeqNo++);
        _live[id] = stored;
        return (stored, current is null);
    }

    PeerError Conflict(string id, string detail) => new(409, "version_conflict_engine_exception", $"[{id}]: {detail}", name);
}

public sealed record IndexConditions(bool Create, long? Version, string? VersionType, long? IfSeqNo, long? IfPrimaryTerm);

/// <param name="RawSource">The source exactly as it was sent: Elasticsearch returns <c>_source</c> as given.</param>
sealed record StoredDocument(string Id, string RawSource, JsonObject Source, long Version, long SeqNo)
{
    public const long PrimaryTerm = 1;
}
