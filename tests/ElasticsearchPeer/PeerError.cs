using System.Text.Json.Nodes;

namespace Shop.ElasticsearchPeer;

/// <summary>An error as Elasticsearch reports it: a type, a reason and an HTTP status.</summary>
public sealed class PeerError(int status, string type, string reason, string? index = null) : Exception(reason)
{
    public int Status { get; } = status;
    public string Type { get; } = type;
    public string Reason { get; } = reason;

    /// <summary>The <c>error</c> object of a response, or of one bulk item.</summary>
    public JsonObject Cause()
    {
        var cause = new JsonObject { ["type"] = Type, ["reason"] = Reason };
        if (index is not null)
            cause["index"] = index;
        return cause;
    }

    /// <summary>A whole response's body: <c>{ "error": { "root_cause": [...], ... }, "status": n }</c>.</summary>
    public JsonObject Body()
    {
        var error = Cause();
        error["root_cause"] = new JsonArray(Cause());
        return new JsonObject { ["error"] = error, ["status"] = Status };
    }

    public static PeerError IndexNotFound(string index) => new(404, "index_not_found_exception", $"no such index [{index}]", index);

    public static PeerError BadRequest(string reason) => new(400, "illegal_argument_exception", reason);

    public static PeerError Parsing(string reason) => new(400, "parsing_exception", reason);
}
