namespace Shop.Standalone;

/// <summary>What a person who just typed the command needs: where the API and its UI are, and where the data went.</summary>
public static class StandaloneBanner
{
    public const string ApiLabel = "API:";

    public static void Write(TextWriter output, IEnumerable<string> urls, string dataFolder, string? dashboard = null)
    {
        var api = urls.FirstOrDefault(url => url.StartsWith("http://", StringComparison.OrdinalIgnoreCase)) ?? urls.First();
        output.WriteLine($"""

            Shop is running standalone: every service in this process, in-memory bus, SQLite, blobs on disk.
              {ApiLabel,-12}{api}        (try: curl {api}/products)
              {"OpenAPI UI:",-12}{api}/scalar
              {"Tokens:",-12}shop token --role customer   (the development key; see docs/security.md)
              {"Data:",-12}{dataFolder}   (delete it to start afresh)
              {"Dashboard:",-12}{dashboard ?? $"off (start with {StandaloneDashboard.Switch} to follow each order's trace)"}
            Press Ctrl+C to stop.
            """);
    }
}
