namespace Shop.BlobStorage;

/// <summary>
/// Lists the blobs under a prefix, for readers that find their blobs by position rather than by a key they were given
/// (the event archive of the read side). Both adapters implement it beside <see cref="IBlobStorage"/>.
/// </summary>
public interface IBlobListing
{
    /// <summary>The keys that start with <paramref name="prefix"/>, in ordinal order.</summary>
    IAsyncEnumerable<string> ListAsync(string prefix, CancellationToken cancellationToken = default);
}
