namespace Shop.BlobStorage;

/// <summary>
/// Blob storage that lets a client upload straight to it, bypassing our services: the client POSTs a form to a URL
/// with the fields it was given and the file last. Only some adapters can (S3 does, the disk does not); callers test
/// for it with <c>is</c>.
/// </summary>
public interface IPresignedUploadStorage
{
    /// <summary>
    /// A signed upload form for exactly <paramref name="key"/>, accepted until <paramref name="expiresAt"/> only for a
    /// body of 1 to <paramref name="maxBytes"/> bytes with content type <paramref name="contentType"/> (any
    /// <c>image/</c> type when null). Storage enforces that; it cannot stop the same form being posted again before it
    /// expires, so whoever receives the object still checks it and must not keep reading from <paramref name="key"/>.
    /// </summary>
    Task<PresignedUpload> PresignUploadAsync(string key, string? contentType, long maxBytes, DateTimeOffset expiresAt,
        CancellationToken cancellationToken = default);
}

/// <summary>Where and how to upload: an HTTP POST of <c>multipart/form-data</c> to <paramref name="Url"/> with every field of <paramref name="Fields"/>, then the file as field <c>file</c>.</summary>
public sealed record PresignedUpload(Uri Url, IReadOnlyDictionary<string, string> Fields);
