using System.Text.Json;

namespace Shop.Images.Endpoints;

/// <summary>The answer to an accepted upload; poll <c>Location</c> for the outcome.</summary>
public sealed record ProductImageAccepted(Guid Id, string Sku, string Status, string Format, long SizeBytes);

/// <summary>
/// The answer to <c>POST /products/{sku}/images/upload-url</c>: PUT the image's bytes to <paramref name="UploadUrl"/>
/// before <paramref name="ExpiresAt"/>, then poll <c>Location</c> (the image, <c>AwaitingUpload</c> until the upload
/// arrives). Uploads over <paramref name="MaxSizeBytes"/> or in an unsupported format end <c>Failed</c>.
/// </summary>
public sealed record DirectUploadCreated(Guid Id, string Sku, string Status, Uri UploadUrl, string UploadMethod, DateTimeOffset ExpiresAt,
    long MaxSizeBytes);

/// <summary>An image as <c>GET /images/{id}</c> shows it.</summary>
public sealed record ProductImageResponse(
    Guid Id,
    string Sku,
    string Status,
    string? FailureReason,
    string Format,
    string ContentType,
    long SizeBytes,
    int? Width,
    int? Height,
    string OriginalUrl,
    IReadOnlyList<ThumbnailLink> Thumbnails,
    JsonElement? Metadata,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt);

public sealed record ThumbnailLink(int Size, string Format, int Width, int Height, string ContentType, string Url);
