using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Shop.BlobStorage;
using Shop.ProductImages.Catalog;
using Shop.ProductImages.Domain;
using Shop.ProductImages.Persistence;
using Shop.ProductImages.Upload;

namespace Shop.ProductImages.Endpoints;

/// <summary>
/// Uploads that bypass the API: the client gets a signed upload form (a presigned POST whose policy binds the key, the
/// size range and the content type) and posts the image straight into the bucket. The image is recorded
/// <see cref="ProductImageStatus.AwaitingUpload"/> at once; the storage's notification of the new object
/// (<c>DirectUploadStored</c>) moves it into the same pipeline as an API upload.
/// </summary>
internal static class DirectUploadHandlers
{
    public static async Task<Results<Created<DirectUploadCreated>, ProblemHttpResult>> CreateUploadUrl(
        string sku, DirectUploadRequest? request, HttpContext http, ProductImagesStore store, IProductCatalog catalog, IBlobStorage blobs,
        IOptions<ProductImageOptions> options, TimeProvider time, LinkGenerator links, ILoggerFactory loggers,
        CancellationToken cancellationToken)
    {
        if (await ProductImageHandlers.UnknownProduct(sku, catalog, cancellationToken) is { } unknown)
            return unknown;

        var contentType = request?.ContentType;
        if (contentType is not null && !ImageFormatSniffer.All.Any(format => format.ContentType == contentType))
        {
            return ProductImagesApi.Problem(StatusCodes.Status400BadRequest, "Unsupported content type",
                $"contentType must be one of {string.Join(", ", ImageFormatSniffer.All.Select(f => f.ContentType))}, or absent.");
        }

        if (blobs is not IPresignedUploadStorage presigned)
        {
            return ProductImagesApi.Problem(StatusCodes.Status501NotImplemented, "Direct uploads need S3 blob storage",
                "This service stores images on disk (BlobStorage:Provider=Disk), which cannot hand out upload URLs. " +
                "Upload through POST /products/{sku}/images instead, or run it with BlobStorage:Provider=S3.");
        }

        var now = time.GetUtcNow();
        var id = Guid.CreateVersion7(now);
        var key = BlobKeys.DirectUpload(id);
        var expiresAt = now + options.Value.DirectUploadUrlLifetime;
        var upload = await presigned.PresignUploadAsync(key, contentType, options.Value.MaxUploadBytes, expiresAt, cancellationToken);

        var image = ProductImage.AwaitingUpload(id, sku, key, contentType, now);
        store.Images.Add(image);
        await store.Db.SaveChangesAsync(cancellationToken);

        loggers.CreateLogger(typeof(DirectUploadHandlers).FullName!).LogInformation(
            "Handed out an upload URL for image {ImageId} of product {Sku}, valid until {ExpiresAt}", id, sku, expiresAt);
        var location = links.GetPathByName(http, ProductImagesApi.GetImageRoute, new { id }) ?? $"/images/{id}";
        return TypedResults.Created(location, new DirectUploadCreated(id, sku, image.Status.ToString(), upload.Url, HttpMethods.Post,
            upload.Fields, expiresAt, options.Value.MaxUploadBytes));
    }
}
