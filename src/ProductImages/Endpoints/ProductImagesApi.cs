using System.Text.Json;
using System.Text.Json.Nodes;
using MassTransit;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;
using Shop.BlobStorage;
using Shop.Contracts.Images;
using Shop.ProductImages.Catalog;
using Shop.ProductImages.Domain;
using Shop.ProductImages.Persistence;
using Shop.ProductImages.StateMachines;
using Shop.ProductImages.Upload;

namespace Shop.ProductImages.Endpoints;

public static class ProductImagesApi
{
    internal const string GetImageRoute = "GetProductImage";
    internal const string GetThumbnailRoute = "GetProductImageThumbnail";
    internal const string GetOriginalRoute = "GetProductImageOriginal";

    /// <summary>
    /// <c>POST /products/{sku}/images</c>, <c>POST /products/{sku}/images/upload-url</c>, <c>POST /products/{sku}/images/reprocess</c>,
    /// <c>GET /images/{id}</c>, <c>GET /images/{id}/thumbnails/{size}</c>, <c>GET /images/{id}/original</c> and
    /// <c>POST /images/{id}/reprocess</c>, on the host's <typeparamref name="TDbContext"/> (which calls
    /// <c>modelBuilder.AddProductImages()</c> and <c>AddDurableMessaging()</c>). <paramref name="configureUploads"/> is
    /// applied to the endpoints that write (the upload, the upload form and the two reprocess endpoints): the host's
    /// authorization and rate limits.
    /// </summary>
    public static IEndpointRouteBuilder MapProductImagesApi<TDbContext>(this IEndpointRouteBuilder endpoints,
        Action<IEndpointConventionBuilder>? configureUploads = null)
        where TDbContext : DbContext
    {
        // The handlers reach TDbContext through ProductImagesStore, which AddProductImages<TDbContext> registers.
        var maxUploadBytes = endpoints.ServiceProvider.GetRequiredService<IOptions<ProductImageOptions>>().Value.MaxUploadBytes;
        var upload = endpoints.MapPost("/products/{sku}/images", ProductImageHandlers.Upload)
            .WithTags("Product images")
            .WithName("UploadProductImage")
            // Kestrel stops reading the body past the file's limit and its multipart framing.
            .WithMetadata(new Microsoft.AspNetCore.Mvc.RequestSizeLimitAttribute(maxUploadBytes + UploadedFile.MultipartOverhead))
            // No Accepts<IFormFile> metadata: routing would answer other content types with a bare 415, not a problem.
            .DisableAntiforgery();
        var uploadUrl = endpoints.MapPost("/products/{sku}/images/upload-url", DirectUploadHandlers.CreateUploadUrl)
            .WithTags("Product images")
            .WithName("CreateProductImageUploadUrl");
        var reprocessProduct = endpoints.MapPost("/products/{sku}/images/reprocess", ReprocessHandlers.ReprocessProduct)
            .WithTags("Product images")
            .WithName("ReprocessProductImages");
        configureUploads?.Invoke(upload);
        configureUploads?.Invoke(uploadUrl);
        configureUploads?.Invoke(reprocessProduct);

        var images = endpoints.MapGroup("/images/{id:guid}").WithTags("Product images");
        images.MapGet("", ProductImageHandlers.GetImage).WithName(GetImageRoute);
        images.MapGet("/thumbnails/{size:int}", ProductImageHandlers.GetThumbnail).WithName(GetThumbnailRoute);
        images.MapGet("/original", ProductImageHandlers.GetOriginal).WithName(GetOriginalRoute);
        var reprocess = images.MapPost("/reprocess", ReprocessHandlers.Reprocess).WithName("ReprocessProductImage");
        configureUploads?.Invoke(reprocess);
        return endpoints;
    }

    internal static ProblemHttpResult Problem(int status, string title, string detail) =>
        TypedResults.Problem(detail: detail, statusCode: status, title: title);
}

/// <summary>The handlers behind <see cref="ProductImagesApi.MapProductImagesApi{TDbContext}"/>.</summary>
internal static class ProductImageHandlers
{
    const string GetImageRoute = ProductImagesApi.GetImageRoute;
    const string GetThumbnailRoute = ProductImagesApi.GetThumbnailRoute;
    const string GetOriginalRoute = ProductImagesApi.GetOriginalRoute;

    public static async Task<Results<Accepted<ProductImageAccepted>, ProblemHttpResult>> Upload(
        string sku, HttpRequest request, ProductImagesStore store, IProductCatalog catalog, IBlobStorage blobs, IPublishEndpoint publish,
        IOptions<ProductImageOptions> options, TimeProvider time, LinkGenerator links, ILoggerFactory loggers,
        CancellationToken cancellationToken)
    {
        if (await UnknownProduct(sku, catalog, cancellationToken) is { } unknown)
            return unknown;

        var received = await UploadedFile.Read(request, options.Value.MaxUploadBytes, cancellationToken);
        if (received.Problem is { } problem)
            return problem;

        await using var file = received.File!;
        var id = Guid.CreateVersion7(time.GetUtcNow());
        var key = await blobs.PutAsync(BlobKeys.ImageOriginal(id), file.Content, file.Format.ContentType, cancellationToken);

        var now = time.GetUtcNow();
        var image = ProductImage.Uploaded(id, sku, file.Format.Name, file.Format.ContentType, file.Length, key, now);
        store.Images.Add(image);
        await publish.Publish(new ImageUploaded(id, sku, key, file.Format.ContentType, file.Format.Name, file.Length, now.UtcDateTime),
            cancellationToken);
        try
        {
            await store.Db.SaveChangesAsync(cancellationToken);
        }
        catch
        {
            // Nothing refers to the blob yet; don't leave it behind.
            await blobs.DeleteAsync(key, CancellationToken.None);
            throw;
        }

        loggers.CreateLogger(typeof(ProductImagesApi).FullName!).LogInformation(
            "Accepted image {ImageId} for product {Sku}: {Format}, {SizeBytes} bytes", id, sku, file.Format.Name, file.Length);
        var location = links.GetPathByName(request.HttpContext, GetImageRoute, new { id }) ?? $"/images/{id}";
        return TypedResults.Accepted(location, new ProductImageAccepted(id, sku, image.Status.ToString(), image.Format, image.SizeBytes));
    }

    /// <summary>The 404 every image upload answers for a SKU that is malformed or not in the catalog; null when it is known.</summary>
    internal static async Task<ProblemHttpResult?> UnknownProduct(string sku, IProductCatalog catalog, CancellationToken cancellationToken) =>
        Sku.IsValid(sku) && await catalog.ExistsAsync(sku, cancellationToken)
            ? null
            : Problem(StatusCodes.Status404NotFound, "Unknown product", $"There is no product '{Truncate(sku)}'.");

    public static async Task<Results<Ok<ProductImageResponse>, ProblemHttpResult>> GetImage(
        Guid id, ProductImagesStore store, HttpContext http, LinkGenerator links, CancellationToken cancellationToken)
    {
        // One statement, so the row and the saga's state come from one snapshot (the saga writes both in one transaction).
        var found = await (
            from row in store.Images.AsNoTracking().Where(x => x.Id == id)
            join saga in store.Processing.AsNoTracking() on row.Id equals saga.CorrelationId into sagas
            from saga in sagas.DefaultIfEmpty()
            select new { Image = row, Processing = saga }).SingleOrDefaultAsync(cancellationToken);
        if (found is null)
            return ImageNotFound(id);
        var (image, processing) = (found.Image, found.Processing);

        var thumbnails = ReadThumbnails(image)
            .Select(t => new ThumbnailLink(t.Size, t.Format, t.Width, t.Height, t.ContentType,
                links.GetPathByName(http, GetThumbnailRoute, new { id, size = t.Size, format = t.Format }) ?? ""))
            .ToList();
        JsonElement? metadata = image.Metadata is null ? null : PublicMetadata(image.Metadata);

        return TypedResults.Ok(new ProductImageResponse(image.Id, image.Sku, image.Status.ToString(), image.FailureReason, image.Format,
            image.ContentType, image.SizeBytes, image.Width, image.Height,
            links.GetPathByName(http, GetOriginalRoute, new { id }) ?? "", thumbnails, metadata, image.CreatedAt, image.UpdatedAt,
            processing is null ? null : View(processing)));
    }

    static ImageProcessingView View(ImageProcessingState saga) => new(saga.CurrentState,
        new ImageBranchView(saga.ThumbnailsState, saga.ThumbnailsReason, saga.ThumbnailsAttempt),
        new ImageBranchView(saga.MetadataState, saga.MetadataReason, saga.MetadataAttempt),
        saga.Run, saga.StartedAt, saga.CompletedAt);

    /// <summary>The stored metadata without the location, also for rows recorded before the worker stopped sending it.</summary>
    static JsonElement PublicMetadata(string json)
    {
        var metadata = JsonNode.Parse(json)!.AsObject();
        metadata.Remove("latitude");
        metadata.Remove("longitude");
        return JsonSerializer.SerializeToElement(metadata);
    }

    public static async Task<Results<FileStreamHttpResult, ProblemHttpResult>> GetThumbnail(
        Guid id, int size, string? format, HttpContext http, ProductImagesStore store, IBlobStorage blobs, CancellationToken cancellationToken)
    {
        var image = await store.Images.AsNoTracking().SingleOrDefaultAsync(x => x.Id == id, cancellationToken);
        if (image is null)
            return ImageNotFound(id);

        format ??= "jpeg";
        var thumbnail = ReadThumbnails(image).FirstOrDefault(t => t.Size == size && string.Equals(t.Format, format, StringComparison.OrdinalIgnoreCase));
        if (thumbnail is null)
        {
            return Problem(StatusCodes.Status404NotFound, "Thumbnail not found",
                image.Status is ProductImageStatus.Pending or ProductImageStatus.AwaitingUpload
                    ? $"Image {id} is still being processed."
                    : $"Image {id} has no {Truncate(format)} thumbnail of size {size}.");
        }

        var fileName = $"{id:N}-{thumbnail.Size}.{FileExtension(thumbnail.ContentType)}";
        return await Stream(http, thumbnail.BlobKey, thumbnail.ContentType, $"inline; filename=\"{fileName}\"", blobs, cancellationToken) is { } stream
            ? stream
            : BlobMissing(id);
    }

    /// <summary>
    /// The original, as the public may see it: only once the worker has processed it (so it is an image, in the
    /// format sniffed from its bytes), and only the copy the worker wrote with GPS and every other metadata block
    /// removed. The file as uploaded stays in storage, where only an operator can read it.
    /// </summary>
    public static async Task<Results<FileStreamHttpResult, ProblemHttpResult>> GetOriginal(
        Guid id, HttpContext http, ProductImagesStore store, IBlobStorage blobs, CancellationToken cancellationToken)
    {
        var image = await store.Images.AsNoTracking().SingleOrDefaultAsync(x => x.Id == id, cancellationToken);
        if (image is null)
            return ImageNotFound(id);
        if (image.Status != ProductImageStatus.Processed)
        {
            return Problem(StatusCodes.Status404NotFound, "Original not available",
                $"Image {id} is {image.Status}: only a processed image's original is served.");
        }

        if (image.ContentType == "image/tiff")
        {
            return Problem(StatusCodes.Status404NotFound, "Original not available",
                "TIFF originals are not served: their metadata cannot be removed without re-encoding them. Use the thumbnails.");
        }

        var fileName = $"{id:N}.{FileExtension(image.ContentType)}";
        return await Stream(http, BlobKeys.ImagePublicOriginal(id), image.ContentType, $"attachment; filename=\"{fileName}\"", blobs,
            cancellationToken) is { } stream ? stream : BlobMissing(id);
    }

    /// <summary>
    /// The blob with the content type we determined (never the one storage holds, which an uploader may have chosen),
    /// told not to be sniffed or run as a document; the result answers If-None-Match with 304 itself.
    /// </summary>
    static async Task<FileStreamHttpResult?> Stream(HttpContext http, string key, string contentType, string disposition, IBlobStorage blobs,
        CancellationToken cancellationToken)
    {
        var blob = await blobs.OpenReadAsync(key, cancellationToken);
        if (blob is null)
            return null;

        var headers = http.Response.Headers;
        headers.XContentTypeOptions = "nosniff";
        headers.ContentDisposition = disposition;
        headers.ContentSecurityPolicy = "default-src 'none'; sandbox";

        // The response disposes the stream once it is written.
        return TypedResults.Stream(blob.Content, contentType, entityTag: EntityTagHeaderValue.Parse(blob.ETag));
    }

    static string FileExtension(string contentType) => contentType switch
    {
        "image/jpeg" => "jpg",
        "image/png" => "png",
        "image/webp" => "webp",
        "image/gif" => "gif",
        "image/tiff" => "tiff",
        "image/bmp" => "bmp",
        _ => "bin",
    };

    internal static IReadOnlyList<GeneratedThumbnail> ReadThumbnails(ProductImage image) =>
        image.Thumbnails is null ? [] : JsonSerializer.Deserialize<List<GeneratedThumbnail>>(image.Thumbnails, Json.Options) ?? [];

    static ProblemHttpResult ImageNotFound(Guid id) =>
        Problem(StatusCodes.Status404NotFound, "Image not found", $"There is no image {id}.");

    static ProblemHttpResult BlobMissing(Guid id) =>
        Problem(StatusCodes.Status404NotFound, "Image content not found", $"The stored content of image {id} is missing.");

    static ProblemHttpResult Problem(int status, string title, string detail) => ProductImagesApi.Problem(status, title, detail);

    static string Truncate(string value) => value.Length > 64 ? value[..64] + "…" : value;
}
