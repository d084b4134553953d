using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Shop.ElasticsearchPeer;

/// <summary>
/// A stand-in for an Elasticsearch 9 node on 127.0.0.1 (a free port), for tests where no server can run. It implements
/// only what the read model's adapter calls, after Elastic's REST API documentation:
/// <list type="bullet">
/// <item><c>GET /</c> (node info), <c>PUT /_index_template/{name}</c> (composable templates: patterns, priority,
/// settings, mappings, aliases);</item>
/// <item><c>PUT /{index}</c>, <c>DELETE /{indices}</c>, <c>POST /{indices}/_refresh</c>, <c>HEAD|GET /_alias/{names}</c>,
/// <c>POST /_aliases</c> (add, remove, remove_index; atomic);</item>
/// <item><c>POST /_bulk</c> (index and create actions; per-item status and error; external versions and
/// <c>if_seq_no</c>; strict mappings; <c>refresh</c>), <c>POST /{index}/_mget</c> (real time),
/// <c>POST /{indices}/_search</c> (see <see cref="PeerSearch"/>; only refreshed documents are searched).</item>
/// </list>
/// Basic authentication is required when the peer is given a user. Every answer carries <c>X-Elastic-Product</c>, which
/// the official clients check. Anything else is answered 400 with a reason that names the peer, so a new call the adapter
/// starts making fails loudly here instead of passing against behaviour nobody wrote.
/// </summary>
public sealed class ElasticsearchPeerServer : IAsyncDisposable
{
    readonly PeerCluster _cluster = new();
    readonly WebApplication _app;
    readonly (string User, string Password)? _credentials;
    readonly Timer _refresher;

    ElasticsearchPeerServer(WebApplication app, (string, string)? credentials)
    {
        _app = app;
        _credentials = credentials;
        _refresher = new Timer(_ => RefreshDue(), null, TimeSpan.FromMilliseconds(100), TimeSpan.FromMilliseconds(100));
    }

    public Uri Url { get; private set; } = null!;

    public static async Task<ElasticsearchPeerServer> StartAsync(string? user = null, string? password = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var peer = new ElasticsearchPeerServer(app, user is null ? null : (user, password ?? ""));
        app.Run(peer.Handle);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        peer.Url = new Uri(address);
        return peer;
    }

    public async ValueTask DisposeAsync()
    {
        await _refresher.DisposeAsync();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    // The index refresh interval: documents become searchable at most this long after they were written.
    void RefreshDue()
    {
        lock (_cluster.Lock)
        {
            foreach (var index in _cluster.Indices)
            {
                if (index.RefreshInterval is { } interval && DateTime.UtcNow - index.LastRefresh >= interval)
                    index.Refresh();
            }
        }
    }

    async Task Handle(HttpContext context)
    {
        context.Response.Headers["X-Elastic-Product"] = "Elasticsearch";
        var request = context.Request;
        var segments = request.Path.Value!.Trim('/').Split('/', StringSplitOptions.RemoveEmptyEntries).Select(Uri.UnescapeDataString).ToArray();
        try
        {
            if (_credentials is { } credentials && !Authorised(request, credentials))
            {
                context.Response.Headers.WWWAuthenticate = "Basic realm=\"security\", charset=\"UTF-8\"";
                throw new PeerError(401, "security_exception", $"missing authentication credentials for REST request [{request.Path}]");
            }

            // Request bodies may come gzip-compressed (the official clients compress by default), as Elasticsearch accepts.
            var stream = string.Equals(request.Headers.ContentEncoding, "gzip", StringComparison.OrdinalIgnoreCase)
                ? new System.IO.Compression.GZipStream(request.Body, System.IO.Compression.CompressionMode.Decompress)
                : request.Body;
            var body = await new StreamReader(stream, Encoding.UTF8).ReadToEndAsync();
            var (status, response) = Route(request.Method, segments, request.Query, body);
            await Write(context, status, response);
        }
        catch (PeerError error)
        {
            await Write(context, error.Status, request.Method == "HEAD" ? null : error.Body());
        }
        catch (Exception exception) when (exception is JsonException or InvalidOperationException or FormatException or KeyNotFoundException)
        {
            await Write(context, 400, PeerError.Parsing($"peer: could not read the request: {exception.Message}").Body());
        }
    }

    static bool Authorised(HttpRequest request, (string User, string Password) credentials)
    {
        var header = request.Headers.Authorization.ToString();
        if (!header.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase))
            return false;
        var given = Encoding.UTF8.GetString(Convert.FromBase64String(header[6..].Trim()));
        return given == $"{credentials.User}:{credentials.Password}";
    }

    static async Task Write(HttpContext context, int status, JsonNode? body)
    {
        context.Response.StatusCode = status;
        if (body is null)
            return;
        // Answer in the media type asked for: the 9.x clients ask for the versioned one.
        var accept = context.Request.Headers.Accept.ToString();
        context.Response.ContentType = accept.Contains("vnd.elasticsearch+json", StringComparison.Ordinal)
            ? "application/vnd.elasticsearch+json;compatible-with=9"
            : "application/json";
        await context.Response.WriteAsync(body.ToJsonString());
    }

    (int Status, JsonNode? Body) Route(string method, string[] path, IQueryCollection query, string body)
    {
        lock (_cluster.Lock)
        {
            return (method, path) switch
            {
                ("GET" or "HEAD", []) => (200, Info()),
                ("PUT" or "POST", ["_index_template", var name]) => PutTemplate(name, body),
                ("HEAD", ["_alias", var names]) => (_cluster.AliasesNamed(names.Split(',')).Count > 0 ? 200 : 404, null),
                ("GET", ["_alias", var names]) => GetAliases(names),
                ("POST", ["_aliases"]) => UpdateAliases(body),
                ("POST" or "PUT", ["_bulk"]) => Bulk(null, query, body),
                ("POST" or "PUT", [var index, "_bulk"]) => Bulk(index, query, body),
                ("GET" or "POST", [var index, "_mget"]) => MultiGet(index, body),
                ("GET" or "POST", [var indices, "_search"]) => Search(indices, body),
                ("GET" or "POST", [var indices, "_refresh"]) => Refresh(indices),
                ("PUT", [var index]) when !index.StartsWith('_') => CreateIndex(index, body),
                ("DELETE", [var indices]) when !indices.StartsWith('_') => DeleteIndices(indices, query),
                _ => throw PeerError.BadRequest($"peer: {method} /{string.Join('/', path)} is not implemented (only what the read-model adapter calls is)"),
            };
        }
    }

    static JsonObject Info() => new()
    {
        ["name"] = "shop-elasticsearch-peer",
        ["cluster_name"] = "shop-peer",
        ["cluster_uuid"] = "peer",
        ["version"] = new JsonObject
        {
            ["number"] = "9.1.0",
            ["build_flavor"] = "default",
            ["build_type"] = "peer",
            ["lucene_version"] = "10.2.2",
            ["minimum_wire_compatibility_version"] = "8.19.0",
            ["minimum_index_compatibility_version"] = "8.0.0",
        },
        ["tagline"] = "You Know, for Search",
    };

    (int, JsonNode?) PutTemplate(string name, string body)
    {
        _cluster.PutTemplate(name, Parse(body));
        return (200, Acknowledged());
    }

    (int, JsonNode?) CreateIndex(string name, string body)
    {
        _cluster.CreateIndex(name, string.IsNullOrWhiteSpace(body) ? null : Parse(body));
        return (200, new JsonObject { ["acknowledged"] = true, ["shards_acknowledged"] = true, ["index"] = name });
    }

    (int, JsonNode?) DeleteIndices(string names, IQueryCollection query)
    {
        var ignoreUnavailable = query["ignore_unavailable"] == "true";
        foreach (var name in names.Split(','))
        {
            if (_cluster.HasIndex(name))
                _cluster.DeleteIndex(name);
            else if (!ignoreUnavailable && !name.Contains('*'))
                throw PeerError.IndexNotFound(name);
        }

        return (200, Acknowledged());
    }

    (int, JsonNode?) GetAliases(string names)
    {
        var found = _cluster.AliasesNamed(names.Split(','));
        var response = new JsonObject();
        foreach (var (index, aliases) in found)
            response[index] = new JsonObject { ["aliases"] = new JsonObject(aliases.Select(a => KeyValuePair.Create(a, (JsonNode?)new JsonObject()))) };
        if (found.Count > 0)
            return (200, response);
        response["error"] = $"alias [{names}] missing";
        response["status"] = 404;
        return (404, response);
    }

    (int, JsonNode?) UpdateAliases(string body)
    {
        var actions = Parse(body)["actions"]?.AsArray()
                      ?? throw new PeerError(400, "action_request_validation_exception", "Validation Failed: 1: No action specified;");
        _cluster.UpdateAliases(actions);
        return (200, new JsonObject { ["acknowledged"] = true, ["errors"] = false });
    }

    (int, JsonNode?) Refresh(string names)
    {
        var indices = _cluster.ResolveForRead(names);
        foreach (var index in indices)
            index.Refresh();
        return (200, new JsonObject { ["_shards"] = Shards(indices.Count) });
    }

    /// <summary>
    /// <c>_bulk</c>: NDJSON pairs of action and source. Each item succeeds or fails on its own; the response is 200 with
    /// <c>errors</c> true when any failed, each item with its own status and error.
    /// </summary>
    (int, JsonNode?) Bulk(string? defaultIndex, IQueryCollection query, string body)
    {
        var lines = body.Split('\n');
        if (lines.Length == 0 || !body.EndsWith('\n'))
            throw PeerError.BadRequest("The bulk request must be terminated by a newline [\\n]");
        var items = new JsonArray();
        var touched = new HashSet<PeerIndex>();
        var errors = false;
        for (var i = 0; i < lines.Length; i++)
        {
            if (string.IsNullOrWhiteSpace(lines[i]))
                continue;
            var (action, metadataNode) = Parse(lines[i]).Single();
            if (action is not ("index" or "create"))
                throw PeerError.BadRequest($"peer: bulk action [{action}] is not implemented");
            if (++i >= lines.Length || string.IsNullOrWhiteSpace(lines[i]))
                throw PeerError.BadRequest($"Validation Failed: 1: source is missing;");
            var raw = lines[i];
            var metadata = metadataNode!.AsObject();
            var indexName = metadata["_index"]?.ToString() ?? defaultIndex
                            ?? throw new PeerError(400, "action_request_validation_exception", "Validation Failed: 1: index is missing;");
            var id = metadata["_id"]?.ToString() ?? Guid.NewGuid().ToString("N");
            var result = new JsonObject { ["_index"] = indexName, ["_id"] = id };
            try
            {
                var index = _cluster.ResolveForWrite(indexName);
                result["_index"] = index.Name;
                var conditions = new IndexConditions(action == "create" || metadata["op_type"]?.ToString() == "create",
                    metadata["version"]?.GetValue<long>(), metadata["version_type"]?.ToString(),
                    metadata["if_seq_no"]?.GetValue<long>(), metadata["if_primary_term"]?.GetValue<long>());
                var (stored, created) = index.Index(id, raw, Parse(raw), conditions);
                touched.Add(index);
                result["_version"] = stored.Version;
                result["result"] = created ? "created" : "updated";
                result["_shards"] = new JsonObject { ["total"] = 1, ["successful"] = 1, ["failed"] = 0 };
                result["_seq_no"] = stored.SeqNo;
                result["_primary_term"] = StoredDocument.PrimaryTerm;
                result["status"] = created ? 201 : 200;
            }
            catch (PeerError error)
            {
                errors = true;
                result["status"] = error.Status;
                result["error"] = error.Cause();
            }
            catch (JsonException exception)
            {
                errors = true;
                result["status"] = 400;
                result["error"] = new PeerError(400, "document_parsing_exception", $"[1:1] failed to parse: {exception.Message}").Cause();
            }

            items.Add(new JsonObject { [action] = result });
        }

        // refresh=true and refresh=wait_for both return once the writes are searchable; the peer refreshes at once for
        // both (a real node would wait for its next scheduled refresh on wait_for: later, the same outcome for the caller).
        if (query["refresh"].ToString() is "" or "true" or "wait_for" && query.ContainsKey("refresh"))
        {
            foreach (var index in touched)
                index.Refresh();
        }

        return (200, new JsonObject { ["took"] = 1, ["errors"] = errors, ["items"] = items });
    }

    (int, JsonNode?) MultiGet(string name, string body)
    {
        var request = Parse(body);
        var ids = request["ids"]?.AsArray().Select(id => (Index: name, Id: id!.ToString()))
                  ?? request["docs"]?.AsArray().Select(doc => (Index: doc!["_index"]?.ToString() ?? name, Id: doc["_id"]!.ToString()))
                  ?? throw new PeerError(400, "action_request_validation_exception", "Validation Failed: 1: no documents to get;");
        var docs = new JsonArray();
        foreach (var (indexName, id) in ids)
        {
            try
            {
                var index = _cluster.ResolveSingle(indexName);
                var stored = index.Get(id);
                docs.Add(stored is null
                    ? new JsonObject { ["_index"] = index.Name, ["_id"] = id, ["found"] = false }
                    : new JsonObject
                    {
                        ["_index"] = index.Name,
                        ["_id"] = id,
                        ["_version"] = stored.Version,
                        ["_seq_no"] = stored.SeqNo,
                        ["_primary_term"] = StoredDocument.PrimaryTerm,
                        ["found"] = true,
                        ["_source"] = JsonNode.Parse(stored.RawSource),
                    });
            }
            catch (PeerError error)
            {
                docs.Add(new JsonObject { ["_index"] = indexName, ["_id"] = id, ["error"] = error.Cause() });
            }
        }

        return (200, new JsonObject { ["docs"] = docs });
    }

    (int, JsonNode?) Search(string names, string body) =>
        (200, PeerSearch.Run(_cluster.ResolveForRead(names), string.IsNullOrWhiteSpace(body) ? [] : Parse(body)));

    static JsonObject Parse(string json) =>
        JsonNode.Parse(json) as JsonObject ?? throw PeerError.Parsing("request body is required to be an object");

    static JsonObject Acknowledged() => new() { ["acknowledged"] = true };

    static JsonObject Shards(int count) => new() { ["total"] = count, ["successful"] = count, ["failed"] = 0 };
}
