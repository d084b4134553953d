namespace Shop.BlobStorage;

/// <summary>The keys of Shop's blobs, derived from ids only, so storing the same thing twice overwrites it.</summary>
public static class BlobKeys
{
    public static string ImageOriginal(Guid imageId) => $"images/{imageId:N}/original";

    public static string ImageThumbnail(Guid imageId, int size, string extension) =>
        BlobKey.Validate($"images/{imageId:N}/thumbnails/{size}.{extension}");

    /// <summary>Everything stored for one image shares this prefix (for listing or clean-up).</summary>
    public static string ImagePrefix(Guid imageId) => $"images/{imageId:N}";
}
