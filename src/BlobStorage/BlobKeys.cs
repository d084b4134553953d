namespace Shop.BlobStorage;

/// <summary>The keys of Shop's blobs, derived from ids only, so storing the same thing twice overwrites it.</summary>
public static class BlobKeys
{
    /// <summary>
    /// Where clients upload straight to storage (presigned URLs). Apart from <c>images/</c> on purpose: the bucket
    /// notifies about new objects under this prefix only, so our own thumbnail writes never trigger an event.
    /// </summary>
    public const string DirectUploadPrefix = "uploads/";

    public static string ImageOriginal(Guid imageId) => $"images/{imageId:N}/original";

    /// <summary>The original as the public may download it: written by the worker with its metadata (GPS first) removed.</summary>
    public static string ImagePublicOriginal(Guid imageId) => $"images/{imageId:N}/public";

    /// <summary>The original of an image uploaded by the client itself, through a presigned URL.</summary>
    public static string DirectUpload(Guid imageId) => $"{DirectUploadPrefix}{imageId:N}";

    /// <summary>The image id of a <see cref="DirectUpload"/> key; false for any other key.</summary>
    public static bool TryParseDirectUpload(string key, out Guid imageId)
    {
        imageId = Guid.Empty;
        return key.Length == DirectUploadPrefix.Length + 32
            && key.StartsWith(DirectUploadPrefix, StringComparison.Ordinal)
            && key.AsSpan(DirectUploadPrefix.Length).IndexOfAnyExcept("0123456789abcdef") < 0
            && Guid.TryParseExact(key.AsSpan(DirectUploadPrefix.Length), "N", out imageId);
    }

    public static string ImageThumbnail(Guid imageId, int size, string extension) =>
        BlobKey.Validate($"images/{imageId:N}/thumbnails/{size}.{extension}");

    /// <summary>Everything stored for one image shares this prefix (for listing or clean-up).</summary>
    public static string ImagePrefix(Guid imageId) => $"images/{imageId:N}";
}
