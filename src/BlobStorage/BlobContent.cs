namespace Shop.BlobStorage;

/// <summary>An open blob: the caller owns <see cref="Content"/> and disposes it (or this).</summary>
/// <param name="ETag">A quoted entity tag, as HTTP sends it.</param>
public sealed record BlobContent(Stream Content, string ContentType, long Length, string ETag) : IAsyncDisposable, IDisposable
{
    public ValueTask DisposeAsync() => Content.DisposeAsync();

    public void Dispose() => Content.Dispose();
}
