namespace Shop.Messaging.AmazonSqs.Signing;

/// <summary>
/// What SigV4 signs of an HTTP request. <see cref="Path"/> is the path and <see cref="Query"/> the query string as sent
/// (percent-encoded, <see cref="Uri.AbsolutePath"/>; the query without '?'); both are canonicalised by the signer.
/// </summary>
public sealed class SigningRequest
{
    public SigningRequest(string method, string path, string query = "")
    {
        Method = method;
        Path = string.IsNullOrEmpty(path) ? "/" : path;
        Query = query.StartsWith('?') ? query[1..] : query;
    }

    public string Method { get; }
    public string Path { get; }
    public string Query { get; }
    public List<KeyValuePair<string, string>> Headers { get; } = [];
    public ReadOnlyMemory<byte> Body { get; set; } = ReadOnlyMemory<byte>.Empty;

    public SigningRequest WithHeader(string name, string value)
    {
        Headers.Add(new(name, value));
        return this;
    }
}
