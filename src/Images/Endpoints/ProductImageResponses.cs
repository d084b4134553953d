using System.Text.Json;

namespace Shop.Images.Endpoints;

/// <summary>The answer to an accepted upload; poll <c>Location</c> for the outcome.</summary>
public sealed record ProductImageAccepted(Guid Id, string Sku, string Status, string Format, long SizeBytes);

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
