using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Shop.ElasticsearchPeer;

/// <summary>
/// The search API's query DSL, as far as the adapter uses it: <c>bool</c> (filter, must, should, must_not),
/// <c>term</c>, <c>terms</c>, <c>match</c> (operator and/or), <c>range</c>, <c>match_all</c>; <c>sort</c> on
/// fields with <c>search_after</c>; <c>size</c> and <c>from</c>. Scores are not computed: hits sorted by a field carry a
/// null <c>_score</c>, as Elasticsearch's do unless <c>track_scores</c> is set, and the adapter never sorts by score.
/// </summary>
static class PeerSearch
{
    const int MaxResultWindow = 10_000;

    public static JsonObject Run(IReadOnlyList<PeerIndex> indices, JsonObject request)
    {
        var query = request["query"]?.AsObject();
        var sort = Sorts(request["sort"]);
        var size = request["size"]?.GetValue<int>() ?? 10;
        var from = request["from"]?.GetValue<int>() ?? 0;
        if (size < 0 || from < 0)
            throw PeerError.BadRequest("[size] and [from] parameters cannot be negative");
        if (from + size > MaxResultWindow)
            throw PeerError.BadRequest($"Result window is too large, from + size must be less than or equal to: [{MaxResultWindow}] but was [{from + size}].");
        var searchAfter = request["search_after"]?.AsArray();
        if (searchAfter is not null && from > 0)
            throw PeerError.BadRequest("Cannot use [from] parameter with [search_after]");
        if (searchAfter is not null && searchAfter.Count != sort.Count)
            throw PeerError.BadRequest($"search_after has {searchAfter.Count} value(s) but sort has {sort.Count}.");

        var hits = indices
            .SelectMany(index => index.Searchable.Select(doc => (Index: index, Doc: doc)))
            .Where(hit => query is null || Matches(hit.Index.Mapping, hit.Doc.Source, query))
            .Select(hit => (hit.Index, hit.Doc, Keys: sort.Select(s => SortValue(hit.Index.Mapping, hit.Doc.Source, s)).ToList()))
            .ToList();

        var comparer = Comparer<List<SortKey?>>.Create((a, b) => CompareKeys(a, b, sort));
        if (sort.Count > 0)
            hits.Sort((a, b) => comparer.Compare(a.Keys, b.Keys));
        if (searchAfter is not null)
        {
            var after = sort.Select((s, i) => AfterValue(searchAfter[i], s)).ToList();
            hits = hits.Where(hit => comparer.Compare(hit.Keys, after) > 0).ToList();
        }

        var total = hits.Count;
        var page = hits.Skip(from).Take(size).Select(hit =>
        {
            var json = new JsonObject
            {
                ["_index"] = hit.Index.Name,
                ["_id"] = hit.Doc.Id,
                ["_score"] = sort.Count > 0 ? null : 1.0,
                ["_source"] = JsonNode.Parse(hit.Doc.RawSource),
            };
            if (sort.Count > 0)
                json["sort"] = new JsonArray(hit.Keys.Select(k => k?.Json()).ToArray());
            return (JsonNode)json;
        }).ToArray();

        var hitsJson = new JsonObject { ["max_score"] = sort.Count > 0 || page.Length == 0 ? null : 1.0, ["hits"] = new JsonArray(page) };
        if (request["track_total_hits"] is not JsonValue track || track.GetValueKind() != JsonValueKind.False)
            hitsJson["total"] = new JsonObject { ["value"] = total, ["relation"] = "eq" };
        return new JsonObject
        {
            ["took"] = 1,
            ["timed_out"] = false,
            ["_shards"] = new JsonObject { ["total"] = indices.Count, ["successful"] = indices.Count, ["skipped"] = 0, ["failed"] = 0 },
            ["hits"] = hitsJson,
        };
    }

    static bool Matches(PeerMapping mapping, JsonObject source, JsonObject query)
    {
        if (query.Count != 1)
            throw PeerError.Parsing($"[{string.Join(", ", query.Select(q => q.Key))}] malformed query, expected a single query");
        var (kind, body) = query.Single();
        return kind switch
        {
            "bool" => Bool(mapping, source, body!.AsObject()),
            "match_all" => true,
            "match_none" => false,
            "term" => Term(mapping, source, body!.AsObject()),
            "terms" => Terms(mapping, source, body!.AsObject()),
            "match" => Match(mapping, source, body!.AsObject()),
            "range" => Range(mapping, source, body!.AsObject()),
            _ => throw PeerError.Parsing($"peer: query [{kind}] is not implemented"),
        };
    }

    static bool Bool(PeerMapping mapping, JsonObject source, JsonObject body)
    {
        var must = Clauses(body["must"]).Concat(Clauses(body["filter"])).ToList();
        var should = Clauses(body["should"]).ToList();
        if (!must.All(q => Matches(mapping, source, q)))
            return false;
        if (Clauses(body["must_not"]).Any(q => Matches(mapping, source, q)))
            return false;
        var minimumShould = body["minimum_should_match"]?.GetValue<int>() ?? (must.Count == 0 && should.Count > 0 ? 1 : 0);
        return should.Count(q => Matches(mapping, source, q)) >= minimumShould;
    }

    // A clause list may be one query or an array of them.
    static IEnumerable<JsonObject> Clauses(JsonNode? node) => node switch
    {
        null => [],
        JsonArray array => array.Select(q => q!.AsObject()),
        _ => [node.AsObject()],
    };

    static (string Field, JsonNode? Options) FieldAndOptions(JsonObject body, string kind)
    {
        var entries = body.Where(e => e.Key is not ("boost" or "_name")).ToList();
        if (entries.Count != 1)
            throw PeerError.Parsing($"[{kind}] query doesn't support multiple fields, found [{string.Join("] and [", entries.Select(e => e.Key))}]");
        return (entries[0].Key, entries[0].Value);
    }

    static bool Term(PeerMapping mapping, JsonObject source, JsonObject body)
    {
        var (path, options) = FieldAndOptions(body, "term");
        var value = options is JsonObject o ? o["value"] : options;
        return TermMatches(mapping, source, path, value, options is JsonObject opts && (opts["case_insensitive"]?.GetValue<bool>() ?? false));
    }

    static bool Terms(PeerMapping mapping, JsonObject source, JsonObject body)
    {
        var (path, values) = FieldAndOptions(body, "terms");
        return values!.AsArray().Any(value => TermMatches(mapping, source, path, value, false));
    }

    /// <summary>A term against the field's indexed terms: the exact value for keywords, the analysed words for text.</summary>
    static bool TermMatches(PeerMapping mapping, JsonObject source, string path, JsonNode? value, bool caseInsensitive)
    {
        if (mapping.Find(path) is not { Indexed: true } field || value is null)
            return false;
        var wanted = Text(value);
        var comparison = caseInsensitive ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;
        if (field.IsDate)
            return PeerMapping.ParseDate(value) is { } date && Values(source, path).Any(v => PeerMapping.ParseDate(v) == date);
        if (field.IsNumber)
            return PeerMapping.Number(value) is { } number && Values(source, path).Any(v => PeerMapping.Number(v) == number);
        return IndexedTerms(field, source).Any(term => string.Equals(term, wanted, comparison));
    }

    static bool Match(PeerMapping mapping, JsonObject source, JsonObject body)
    {
        var (path, options) = FieldAndOptions(body, "match");
        var query = options is JsonObject o ? o["query"] : options;
        var and = options is JsonObject opts && string.Equals(opts["operator"]?.ToString(), "and", StringComparison.OrdinalIgnoreCase);
        if (mapping.Find(path) is not { Indexed: true } field || query is null)
            return false;
        if (field.Type != "text")
            return TermMatches(mapping, source, path, query, false);

        // The query text goes through the field's analyser; each of its terms must (and) or may (or) be one of the field's.
        var wanted = field.Analyzer!.Terms(Text(query)).Distinct().ToList();
        if (wanted.Count == 0)
            return false;
        var present = IndexedTerms(field, source).ToHashSet(StringComparer.Ordinal);
        return and ? wanted.All(present.Contains) : wanted.Any(present.Contains);
    }

    static bool Range(PeerMapping mapping, JsonObject source, JsonObject body)
    {
        var (path, options) = FieldAndOptions(body, "range");
        if (mapping.Find(path) is not { Indexed: true } field)
            return false;
        var bounds = options!.AsObject();
        return Values(source, path).Any(value =>
        {
            var key = Key(field, value);
            return key is not null
                   && Bound(bounds["gte"], c => c >= 0) && Bound(bounds["gt"], c => c > 0)
                   && Bound(bounds["lte"], c => c <= 0) && Bound(bounds["lt"], c => c < 0);

            bool Bound(JsonNode? limit, Func<int, bool> holds) =>
                limit is null || (Key(field, limit) is { } bound
                    ? holds(key.CompareTo(bound))
                    : throw new PeerError(400, "parse_exception", $"failed to parse date field [{limit}] with format [strict_date_optional_time||epoch_millis]"));
        });
    }

    /// <summary>The terms a document has in a field: keywords as they are, text through the analyser.</summary>
    static IEnumerable<string> IndexedTerms(Field field, JsonObject source) =>
        Values(source, field.Path).SelectMany(value => field.Type == "text" ? field.Analyzer!.Terms(Text(value)) : [Text(value)]);

    /// <summary>The values at a dotted path, through objects and arrays of objects.</summary>
    static IEnumerable<JsonNode> Values(JsonNode? node, string path)
    {
        var dot = path.IndexOf('.');
        var head = dot < 0 ? path : path[..dot];
        foreach (var item in node is JsonArray array ? array.ToList() : [node])
        {
            if (item is not JsonObject obj || obj[head] is not { } child)
                continue;
            if (dot >= 0)
            {
                foreach (var value in Values(child, path[(dot + 1)..]))
                    yield return value;
            }
            else
            {
                foreach (var value in child is JsonArray values ? values.ToList() : [child])
                {
                    if (value is not null)
                        yield return value;
                }
            }
        }
    }

    static string Text(JsonNode value) => value is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : value.ToJsonString();

    sealed record Sort(string Field, bool Descending, bool MissingFirst);

    static List<Sort> Sorts(JsonNode? node)
    {
        var sorts = new List<Sort>();
        foreach (var item in node is JsonArray array ? array.ToList() : node is null ? [] : [node])
        {
            if (item is JsonValue name)
            {
                sorts.Add(new Sort(name.ToString(), name.ToString() == "_score", false));
                continue;
            }

            var (field, options) = item!.AsObject().Single();
            var order = options is JsonValue v ? v.ToString() : options?["order"]?.ToString() ?? (field == "_score" ? "desc" : "asc");
            var missing = options is JsonObject o ? o["missing"]?.ToString() ?? "_last" : "_last";
            if (field is "_score" or "_doc")
                throw PeerError.BadRequest($"peer: sorting on [{field}] is not implemented");
            sorts.Add(new Sort(field, order == "desc", missing == "_first"));
        }

        return sorts;
    }

    /// <summary>A sortable value: a keyword (by its UTF-8 bytes, as Lucene orders terms), a number, or a date in nanoseconds.</summary>
    sealed record SortKey(string? Text, decimal? Number, string FieldType) : IComparable<SortKey>
    {
        public int CompareTo(SortKey? other) =>
            Text is not null ? CompareUtf8(Text, other!.Text!) : Number!.Value.CompareTo(other!.Number!.Value);

        static int CompareUtf8(string a, string b) => Encoding.UTF8.GetBytes(a).AsSpan().SequenceCompareTo(Encoding.UTF8.GetBytes(b));

        // date_nanos sort values are nanoseconds since the epoch; date ones milliseconds; both as JSON numbers.
        public JsonNode Json() => Text is not null ? JsonValue.Create(Text) : FieldType is "date" or "date_nanos" ? JsonValue.Create((long)Number!.Value) : JsonValue.Create(Number!.Value);
    }

    static SortKey? Key(Field field, JsonNode value)
    {
        if (field.IsDate)
        {
            if (PeerMapping.ParseDate(value) is not { } date)
                return null;
            var nanos = (decimal)(date - DateTime.UnixEpoch).Ticks * 100;
            return new SortKey(null, field.Type == "date" ? Math.Floor(nanos / 1_000_000) : nanos, field.Type);
        }

        if (field.IsNumber)
            return PeerMapping.Number(value) is { } number ? new SortKey(null, (decimal)number, field.Type) : null;
        return new SortKey(Text(value), null, field.Type);
    }

    static SortKey? SortValue(PeerMapping mapping, JsonObject source, Sort sort)
    {
        var field = mapping.Find(sort.Field) ?? throw new PeerError(400, "query_shard_exception", $"No mapping found for [{sort.Field}] in order to sort on");
        if (field.Type == "text")
            throw PeerError.BadRequest($"Fielddata is disabled on [{sort.Field}] in [peer]. Text fields are not optimised for operations that require per-document field data like aggregations and sorting, so these operations are disabled by default.");
        // Several values: ascending sorts take the smallest, descending the largest (the default sort mode).
        var keys = Values(source, sort.Field).Select(v => Key(field, v)).OfType<SortKey>().ToList();
        return keys.Count == 0 ? null : sort.Descending ? keys.Max() : keys.Min();
    }

    static SortKey? AfterValue(JsonNode? value, Sort sort) =>
        value is null ? null
        : value is JsonValue v && v.GetValueKind() == JsonValueKind.Number ? new SortKey(null, v.GetValue<decimal>(), "number")
        : new SortKey(Text(value), null, "keyword");

    static int CompareKeys(List<SortKey?> a, List<SortKey?> b, List<Sort> sorts)
    {
        for (var i = 0; i < sorts.Count; i++)
        {
            int compared;
            if (a[i] is null || b[i] is null)
                compared = a[i] is null && b[i] is null ? 0 : (a[i] is null) == sorts[i].MissingFirst ? -1 : 1;
            else
                compared = sorts[i].Descending ? b[i]!.CompareTo(a[i]) : a[i]!.CompareTo(b[i]);
            if (compared != 0)
                return compared;
        }

        return 0;
    }
}
