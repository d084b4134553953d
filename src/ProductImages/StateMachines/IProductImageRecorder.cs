using Shop.Contracts.Images;
using Shop.ProductImages.Domain;

namespace Shop.ProductImages.StateMachines;

/// <summary>Where the image saga writes what <c>GET /images/{id}</c> shows: the branches' results and the image's status.</summary>
public interface IProductImageRecorder
{
    Task Thumbnails(Guid imageId, IReadOnlyList<GeneratedThumbnail> thumbnails, DateTimeOffset at, CancellationToken cancellationToken);

    Task Metadata(Guid imageId, ImageMetadataExtracted metadata, DateTimeOffset at, CancellationToken cancellationToken);

    Task Status(Guid imageId, ProductImageStatus status, string? reason, DateTimeOffset at, CancellationToken cancellationToken);
}
