using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Shop.ElasticsearchPeer;

/// <summary>
/// An index's mappings and analysers: which fields exist, their types, how text is split into terms. Only the field
/// types and analysis parts the adapter's templates use are known; anything else is refused when the index is created,
/// rather than silently treated as something it is not.
/// </summary>
sealed class PeerMapping
{
    // Lucene's limit on one indexed term; Elasticsearch refuses a document with a longer keyword (no ignore_above set).
    const int MaxTermBytes = 32766;

    static readonly HashSet<string> KnownTypes =
        ["keyword", "text", "date", "date_nanos", "integer", "long", "short", "byte", "double", "float", "scaled_float", "boolean", "object"];

    readonly Dictionary<string, Field> _fields = new(StringComparer.Ordinal);
    readonly Dictionary<string, Analyzer> _analyzers = new(StringComparer.Ordinal);
    readonly string _dynamic;

    public PeerMapping(JsonObject? mappings, JsonObject? analysis)
    {
        _dynamic = mappings?["dynamic"]?.ToString() ?? "true";
        if (_dynamic is not ("true" or "false" or "strict"))
            throw PeerError.BadRequest($"peer: dynamic [{_dynamic}] is not supported");
        foreach (var (name, definition) in analysis?["analyzer"]?.AsObject() ?? [])
            _analyzers[name] = Analyzer.Custom(name, definition!.AsObject());
        if (mappings?["properties"] is JsonObject properties)
            AddFields("", properties);
    }

    void AddFields(string prefix, JsonObject properties)
    {
        foreach (var (name, node) in properties)
        {
            var definition = node!.AsObject();
            var path = prefix + name;
            var type = definition["type"]?.ToString() ?? (definition["properties"] is not null ? "object" : null)
                       ?? throw PeerError.BadRequest($"No type specified for field [{path}]");
            if (!KnownTypes.Contains(type))
                throw PeerError.BadRequest($"peer: field type [{type}] of [{path}] is not implemented");
            var analyzerName = definition["analyzer"]?.ToString();
            Analyzer? analyzer = null;
            if (type == "text")
                analyzer = analyzerName is null ? Analyzer.Standard
                    : _analyzers.GetValueOrDefault(analyzerName) ?? Analyzer.BuiltIn(analyzerName)
                      ?? throw new PeerError(400, "mapper_parsing_exception", $"analyzer [{analyzerName}] has not been configured in mappings");
            _fields[path] = new Field(path, type, analyzer, definition["index"]?.GetValue<bool>() ?? true);
            if (definition["properties"] is JsonObject children)
                AddFields(path + ".", children);
        }
    }

    public Field? Find(string path) => _fields.GetValueOrDefault(path);

    /// <summary>Checks a document against the mappings, as indexing does; throws the error Elasticsearch would answer.</summary>
    public void Validate(JsonObject source)
    {
        ValidateObject("", source);
    }

    void ValidateObject(string prefix, JsonObject value)
    {
        foreach (var (name, node) in value)
        {
            var path = prefix + name;
            if (!_fields.TryGetValue(path, out var field))
            {
                if (_dynamic == "strict")
                    throw new PeerError(400, "strict_dynamic_mapping_exception",
                        $"[1:1] mapping set to strict, dynamic introduction of [{name}] within [{(prefix.Length == 0 ? "_doc" : prefix.TrimEnd('.'))}] is not allowed");
                continue;
            }

            foreach (var item in node is JsonArray array ? array.ToList() : [node])
                ValidateValue(field, item);
        }
    }

    void ValidateValue(Field field, JsonNode? value)
    {
        if (value is null)
            return;
        switch (field.Type)
        {
            case "object":
                if (value is not JsonObject child)
                    throw Parsing(field, $"object mapping for [{field.Path}] tried to parse field [{field.Path}] as object, but found a concrete value");
                ValidateObject(field.Path + ".", child);
                break;
            case "keyword":
                var text = Scalar(field, value);
                if (Encoding.UTF8.GetByteCount(text) > MaxTermBytes)
                    throw new PeerError(400, "illegal_argument_exception",
                        $"Document contains at least one immense term in field=\"{field.Path}\" (whose UTF8 encoding is longer than the max length {MaxTermBytes}), all of which were skipped.  Please correct the analyzer to not produce such terms.");
                break;
            case "text":
                Scalar(field, value);
                break;
            case "date" or "date_nanos":
                if (ParseDate(value) is not { } date)
                    throw Parsing(field, $"failed to parse field [{field.Path}] of type [{field.Type}] in document. Preview of field's value: '{value}'");
                if (field.Type == "date_nanos" && date < DateTime.UnixEpoch)
                    throw Parsing(field, $"failed to parse field [{field.Path}] of type [{field.Type}] in document: date[{value}] is before the epoch in 1970 and cannot be stored in nanosecond resolution");
                break;
            case "integer" or "long" or "short" or "byte":
                if (Number(value) is not { } number || number != Math.Floor(number))
                    throw Parsing(field, $"failed to parse field [{field.Path}] of type [{field.Type}] in document. Preview of field's value: '{value}'");
                break;
            case "double" or "float" or "scaled_float":
                if (Number(value) is null)
                    throw Parsing(field, $"failed to parse field [{field.Path}] of type [{field.Type}] in document. Preview of field's value: '{value}'");
                break;
            case "boolean":
                if (value.GetValueKind() is not (JsonValueKind.True or JsonValueKind.False) && value.ToString() is not ("true" or "false"))
                    throw Parsing(field, $"failed to parse field [{field.Path}] of type [boolean] in document.");
                break;
        }
    }

    static string Scalar(Field field, JsonNode value) => value switch
    {
        JsonValue v => v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : v.ToJsonString(),
        _ => throw Parsing(field, $"failed to parse field [{field.Path}] of type [{field.Type}] in document: expected a value, found an {value.GetValueKind()}"),
    };

    static PeerError Parsing(Field field, string reason) => new(400, "document_parsing_exception", reason);

    /// <summary>A date value: an ISO 8601 string (UTC unless it has an offset) or epoch milliseconds.</summary>
    public static DateTime? ParseDate(JsonNode? value)
    {
        if (value is not JsonValue v)
            return null;
        if (v.GetValueKind() == JsonValueKind.Number)
            return DateTime.UnixEpoch.AddMilliseconds(v.GetValue<double>());
        return ParseDate(v.GetValue<string>());
    }

    public static DateTime? ParseDate(string text) =>
        DateTime.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var date)
            ? DateTime.SpecifyKind(date, DateTimeKind.Utc)
            : null;

    public static double? Number(JsonNode? value) => value switch
    {
        JsonValue v when v.GetValueKind() == JsonValueKind.Number => v.GetValue<double>(),
        JsonValue v when v.GetValueKind() == JsonValueKind.String
                         && double.TryParse(v.GetValue<string>(), NumberStyles.Float, CultureInfo.InvariantCulture, out var d) => d,
        _ => null,
    };
}

sealed record Field(string Path, string Type, Analyzer? Analyzer, bool Indexed)
{
    public bool IsDate => Type is "date" or "date_nanos";
    public bool IsNumber => Type is "integer" or "long" or "short" or "byte" or "double" or "float" or "scaled_float";
}

/// <summary>
/// A text analyser: a tokenizer and token filters. Implemented: the <c>whitespace</c> and <c>keyword</c> tokenizers, the
/// <c>lowercase</c> filter, and the built-in <c>whitespace</c>, <c>keyword</c> and <c>simple</c> analysers. The
/// <c>standard</c> tokenizer (Unicode text segmentation) is only approximated, by splitting at characters that are neither
/// letters nor digits; the adapter never searches a field analysed that way.
/// </summary>
sealed class Analyzer(string name, Func<string, IEnumerable<string>> tokenizer, bool lowercase)
{
    public string Name => name;

    public static readonly Analyzer Standard = new("standard", SplitAtNonAlphanumeric, lowercase: true);

    public static Analyzer? BuiltIn(string name) => name switch
    {
        "standard" => Standard,
        "whitespace" => new(name, SplitAtWhitespace, lowercase: false),
        "keyword" => new(name, text => [text], lowercase: false),
        "simple" => new(name, text => text.Split(c => !char.IsLetter(c)), lowercase: true),
        _ => null,
    };

    public static Analyzer Custom(string name, JsonObject definition)
    {
        if (definition["type"]?.ToString() is { } type && type != "custom")
            return BuiltIn(type) ?? throw PeerError.BadRequest($"peer: analyzer type [{type}] is not implemented");
        Func<string, IEnumerable<string>> tokenizer = definition["tokenizer"]?.ToString() switch
        {
            "whitespace" => SplitAtWhitespace,
            "keyword" => text => [text],
            "standard" => SplitAtNonAlphanumeric,
            var other => throw PeerError.BadRequest($"peer: tokenizer [{other}] is not implemented"),
        };
        var lowercase = false;
        foreach (var filter in definition["filter"]?.AsArray() ?? [])
        {
            if (filter?.ToString() != "lowercase")
                throw PeerError.BadRequest($"peer: token filter [{filter}] is not implemented");
            lowercase = true;
        }

        return new Analyzer(name, tokenizer, lowercase);
    }

    public IEnumerable<string> Terms(string text) =>
        tokenizer(text).Where(term => term.Length > 0).Select(term => lowercase ? term.ToLowerInvariant() : term);

    static IEnumerable<string> SplitAtWhitespace(string text) => text.Split(char.IsWhiteSpace);

    static IEnumerable<string> SplitAtNonAlphanumeric(string text) => text.Split(c => !char.IsLetterOrDigit(c));
}

static class StringSplitting
{
    public static IEnumerable<string> Split(this string text, Func<char, bool> isSeparator)
    {
        var start = 0;
        for (var i = 0; i <= text.Length; i++)
        {
            if (i < text.Length && !isSeparator(text[i]))
                continue;
            if (i > start)
                yield return text[start..i];
            start = i + 1;
        }
    }
}
