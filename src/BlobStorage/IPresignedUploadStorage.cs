namespace Shop.BlobStorage;

/// <summary>
/// Blob storage that lets a client upload straight to it, bypassing our services: the client PUTs the bytes to a
/// signed URL. Only some adapters can (S3 does, the disk does not); callers test for it with <c>is</c>.
/// </summary>
public interface IPresignedUploadStorage
{
    /// <summary>
    /// A URL that accepts one HTTP PUT of the content of <paramref name="key"/> until <paramref name="expiresAt"/>.
    /// The URL does not bind the content type or size, so whoever receives the object must check both.
    /// </summary>
    Task<Uri> PresignUploadAsync(string key, DateTimeOffset expiresAt, CancellationToken cancellationToken = default);
}
