using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Shop.ElasticsearchPeer;

/// <summary>
/// The cluster's state: composable index templates, indices and aliases. One lock serialises every request's changes, so
/// an <c>_aliases</c> request is applied all at once or not at all, as Elasticsearch applies it in one cluster-state update.
/// </summary>
sealed class PeerCluster
{
    readonly Dictionary<string, JsonObject> _templates = new(StringComparer.Ordinal);
    readonly Dictionary<string, PeerIndex> _indices = new(StringComparer.Ordinal);
    // alias -> (index -> is_write_index)
    readonly Dictionary<string, Dictionary<string, bool?>> _aliases = new(StringComparer.Ordinal);

    public object Lock { get; } = new();

    public void PutTemplate(string name, JsonObject body)
    {
        if (body["index_patterns"] is null)
            throw new PeerError(400, "action_request_validation_exception", "Validation Failed: 1: index patterns are missing;");
        _templates[name] = body;
    }

    public bool HasIndex(string name) => _indices.ContainsKey(name);

    public PeerIndex CreateIndex(string name, JsonObject? body)
    {
        if (name != name.ToLowerInvariant() || name.StartsWith('_') || name.StartsWith('-') || name.IndexOfAny(['\\', '/', '*', '?', '"', '<', '>', '|', ' ', ',', '#']) >= 0)
            throw new PeerError(400, "invalid_index_name_exception", $"Invalid index name [{name}]", name);
        if (_indices.ContainsKey(name))
            throw new PeerError(400, "resource_already_exists_exception", $"index [{name}/peer] already exists", name);
        if (_aliases.ContainsKey(name))
            throw new PeerError(400, "invalid_index_name_exception", $"Invalid index name [{name}], already exists as alias", name);

        // The matching template with the highest priority gives settings and mappings; the request's own override them.
        var template = _templates.Values
            .Where(t => t["index_patterns"]!.AsArray().Any(p => Matches(p!.ToString(), name)))
            .MaxBy(t => t["priority"]?.GetValue<long>() ?? 0)?["template"]?.AsObject();
        var settings = Merge(Flatten(template?["settings"]?.AsObject()), Flatten(body?["settings"]?.AsObject()));
        var mappings = (body?["mappings"] ?? template?["mappings"])?.AsObject();
        var analysis = AnalysisOf(settings);
        var refresh = settings.GetValueOrDefault("index.refresh_interval")?.ToString() ?? "1s";

        var index = new PeerIndex(name, new PeerMapping(mappings, analysis), ParseInterval(refresh));
        var aliases = (body?["aliases"] ?? template?["aliases"])?.AsObject() ?? [];
        foreach (var (alias, options) in aliases)
        {
            if (_indices.ContainsKey(alias))
                throw new PeerError(400, "invalid_alias_name_exception", $"Invalid alias name [{alias}]: an index or data stream exists with the same name as the alias");
        }

        _indices[name] = index;
        foreach (var (alias, options) in aliases)
            AddAlias(alias, name, options?["is_write_index"]?.GetValue<bool>());
        return index;
    }

    public void DeleteIndex(string name)
    {
        _indices.Remove(name);
        foreach (var alias in _aliases.Keys.ToList())
        {
            _aliases[alias].Remove(name);
            if (_aliases[alias].Count == 0)
                _aliases.Remove(alias);
        }
    }

    public IReadOnlyDictionary<string, IReadOnlyCollection<string>> AliasesNamed(IReadOnlyList<string> names)
    {
        var found = new Dictionary<string, IReadOnlyCollection<string>>();
        foreach (var (alias, indices) in _aliases)
        {
            if (names.Any(pattern => Matches(pattern, alias)))
            {
                foreach (var index in indices.Keys)
                    found[index] = [.. found.GetValueOrDefault(index) ?? [], alias];
            }
        }

        return found;
    }

    /// <summary>The <c>_aliases</c> actions, checked first and then applied together.</summary>
    public void UpdateAliases(JsonArray actions)
    {
        var steps = new List<Action>();
        // An alias may take the name of an index the same request removes: the documented way to put an alias in its place.
        var removed = actions.Select(a => a!.AsObject().Single()).Where(a => a.Key == "remove_index")
            .SelectMany(a => Names(a.Value!.AsObject(), "index", "indices")).ToHashSet();
        foreach (var action in actions)
        {
            var (kind, body) = action!.AsObject().Single();
            var options = body!.AsObject();
            var indices = Names(options, "index", "indices").SelectMany(ExpandIndex).Distinct().ToList();
            var aliases = Names(options, "alias", "aliases");
            switch (kind)
            {
                case "add":
                    if (aliases.Count == 0)
                        throw new PeerError(400, "action_request_validation_exception", "Validation Failed: 1: [add] requires an [alias] to be set;");
                    foreach (var alias in aliases)
                    {
                        if (_indices.ContainsKey(alias) && !removed.Contains(alias))
                            throw new PeerError(400, "invalid_alias_name_exception", $"Invalid alias name [{alias}]: an index or data stream exists with the same name as the alias");
                        foreach (var index in indices)
                        {
                            var write = options["is_write_index"]?.GetValue<bool>();
                            steps.Add(() => AddAlias(alias, index, write));
                        }
                    }

                    break;
                case "remove":
                    foreach (var alias in aliases)
                    foreach (var index in indices)
                    {
                        if (!(_aliases.GetValueOrDefault(alias)?.ContainsKey(index) ?? false) && (options["must_exist"]?.GetValue<bool>() ?? false))
                            throw new PeerError(404, "aliases_not_found_exception", $"aliases [{alias}] missing");
                        steps.Add(() => RemoveAlias(alias, index));
                    }

                    break;
                case "remove_index":
                    foreach (var index in indices)
                        steps.Add(() => DeleteIndex(index));
                    break;
                default:
                    throw new PeerError(400, "x_content_parse_exception", $"[1:1] [alias_action] unknown field [{kind}]");
            }
        }

        foreach (var step in steps)
            step();
    }

    IEnumerable<string> ExpandIndex(string pattern)
    {
        if (!pattern.Contains('*'))
            return _indices.ContainsKey(pattern) ? [pattern] : throw PeerError.IndexNotFound(pattern);
        return _indices.Keys.Where(name => Matches(pattern, name));
    }

    void AddAlias(string alias, string index, bool? isWriteIndex)
    {
        if (!_aliases.TryGetValue(alias, out var indices))
            _aliases[alias] = indices = new Dictionary<string, bool?>(StringComparer.Ordinal);
        if (isWriteIndex == true)
        {
            foreach (var other in indices.Keys.ToList())
                indices[other] = false;
        }

        indices[index] = isWriteIndex;
    }

    void RemoveAlias(string alias, string index)
    {
        if (_aliases.TryGetValue(alias, out var indices) && indices.Remove(index) && indices.Count == 0)
            _aliases.Remove(alias);
    }

    /// <summary>The indices a search names: indices, aliases (all their indices) and wildcard patterns.</summary>
    public IReadOnlyList<PeerIndex> ResolveForRead(string expression)
    {
        var found = new List<PeerIndex>();
        foreach (var name in expression.Split(','))
        {
            if (name.Contains('*'))
                found.AddRange(_indices.Values.Where(i => Matches(name, i.Name)));
            else if (_indices.TryGetValue(name, out var index))
                found.Add(index);
            else if (_aliases.TryGetValue(name, out var aliased))
                found.AddRange(aliased.Keys.Select(i => _indices[i]));
            else
                throw PeerError.IndexNotFound(name);
        }

        return found.Distinct().ToList();
    }

    /// <summary>The one index a get names: an index, or an alias that points at exactly one.</summary>
    public PeerIndex ResolveSingle(string name)
    {
        var indices = ResolveForRead(name);
        return indices.Count == 1
            ? indices[0]
            : throw PeerError.BadRequest($"alias [{name}] has more than one index associated with it [{string.Join(", ", indices.Select(i => i.Name))}], can't execute a single index op");
    }

    /// <summary>
    /// The index a write names: an index (created from the templates when missing, as with automatic index creation), or
    /// an alias with a single index or a write index.
    /// </summary>
    public PeerIndex ResolveForWrite(string name)
    {
        if (_indices.TryGetValue(name, out var index))
            return index;
        if (_aliases.TryGetValue(name, out var aliased))
        {
            var write = aliased.Where(a => a.Value == true).Select(a => a.Key).FirstOrDefault()
                        ?? (aliased.Count == 1 && aliased.Single().Value != false ? aliased.Keys.Single() : null);
            return write is not null
                ? _indices[write]
                : throw PeerError.BadRequest($"no write index is defined for alias [{name}]. The write index may be explicitly disabled using is_write_index=false or the alias points to multiple indices without one being designated as a write index");
        }

        return CreateIndex(name, null);
    }

    public IEnumerable<PeerIndex> Indices => _indices.Values;

    static List<string> Names(JsonObject options, string single, string plural) =>
        options[single] is { } one ? [one.ToString()]
        : options[plural] is JsonArray many ? many.Select(n => n!.ToString()).ToList()
        : [];

    public static bool Matches(string pattern, string name) =>
        pattern == "*" || pattern == "_all" || Regex.IsMatch(name, "^" + Regex.Escape(pattern).Replace("\\*", ".*") + "$");

    /// <summary>Settings given nested (<c>{"index":{"refresh_interval":…}}</c>, <c>{"refresh_interval":…}</c>) or flat, as flat <c>index.*</c> keys.</summary>
    static Dictionary<string, JsonNode?> Flatten(JsonObject? settings)
    {
        var flat = new Dictionary<string, JsonNode?>(StringComparer.Ordinal);
        Walk("", settings);
        return flat;

        void Walk(string prefix, JsonObject? node)
        {
            foreach (var (key, value) in node ?? [])
            {
                var path = prefix + key;
                if (value is JsonObject child)
                    Walk(path + ".", child);
                else
                    flat[path.StartsWith("index.", StringComparison.Ordinal) ? path : "index." + path] = value?.DeepClone();
            }
        }
    }

    static Dictionary<string, JsonNode?> Merge(Dictionary<string, JsonNode?> first, Dictionary<string, JsonNode?> second)
    {
        foreach (var (key, value) in second)
            first[key] = value;
        return first;
    }

    /// <summary>The <c>index.analysis.analyzer.*</c> settings back as an object: <c>{ "analyzer": { name: { … } } }</c>.</summary>
    static JsonObject AnalysisOf(Dictionary<string, JsonNode?> settings)
    {
        var analyzers = new JsonObject();
        const string prefix = "index.analysis.analyzer.";
        foreach (var (key, value) in settings.Where(s => s.Key.StartsWith(prefix, StringComparison.Ordinal)))
        {
            var parts = key[prefix.Length..].Split('.', 2);
            if (analyzers[parts[0]] is not JsonObject analyzer)
                analyzers[parts[0]] = analyzer = new JsonObject();
            analyzer[parts[1]] = value?.DeepClone();
        }

        return new JsonObject { ["analyzer"] = analyzers };
    }

    static TimeSpan? ParseInterval(string value)
    {
        if (value == "-1")
            return null;
        var match = Regex.Match(value, @"^(\d+)(ms|s|m)$");
        if (!match.Success)
            throw PeerError.BadRequest($"failed to parse setting [index.refresh_interval] with value [{value}] as a time value");
        var amount = int.Parse(match.Groups[1].Value);
        return match.Groups[2].Value switch
        {
            "ms" => TimeSpan.FromMilliseconds(amount),
            "s" => TimeSpan.FromSeconds(amount),
            _ => TimeSpan.FromMinutes(amount),
        };
    }
}
