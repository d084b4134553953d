using MassTransit;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Shop.Contracts.Images;
using Shop.ProductImages.Catalog;
using Shop.ProductImages.Persistence;
using Shop.ProductImages.StateMachines;

namespace Shop.ProductImages.Endpoints;

/// <summary>
/// <c>POST /images/{id}/reprocess</c> and its bulk form by SKU: ask the image processing state machine to run the
/// failed branches (<c>scope=failed</c>, the default) or named ones (<c>all</c>, <c>thumbnails</c>, <c>metadata</c>)
/// again. Idempotent: an image being processed ignores the request, and one with nothing to run again is left alone.
/// </summary>
internal static class ReprocessHandlers
{
    static readonly string[] Scopes = [ReprocessImage.Failed, ReprocessImage.All, "thumbnails", "metadata"];

    public static async Task<Results<Accepted<ImageReprocessAnswer>, Ok<ImageReprocessAnswer>, ProblemHttpResult>> Reprocess(
        Guid id, string? scope, ProductImagesStore store, IPublishEndpoint publish, TimeProvider time, HttpContext http, LinkGenerator links,
        CancellationToken cancellationToken)
    {
        if (Scope(scope) is not { } normalized)
            return InvalidScope(scope!);

        var image = await store.Images.AsNoTracking().SingleOrDefaultAsync(x => x.Id == id, cancellationToken);
        if (image is null)
            return ProductImagesApi.Problem(StatusCodes.Status404NotFound, "Image not found", $"There is no image {id}.");

        var saga = await store.Processing.AsNoTracking().SingleOrDefaultAsync(x => x.CorrelationId == id, cancellationToken);
        if (saga is null)
        {
            return ProductImagesApi.Problem(StatusCodes.Status409Conflict, "Image not processed yet",
                $"Image {id} is {image.Status} and its processing has not started: there is nothing to process again.");
        }

        var answer = await Request(saga, normalized, publish, time, cancellationToken);
        await store.Db.SaveChangesAsync(cancellationToken);

        var location = links.GetPathByName(http, ProductImagesApi.GetImageRoute, new { id }) ?? $"/images/{id}";
        return answer.Branches.Count > 0 || answer.AlreadyProcessing ? TypedResults.Accepted(location, answer) : TypedResults.Ok(answer);
    }

    public static async Task<Results<Accepted<ProductImagesReprocessAnswer>, ProblemHttpResult>> ReprocessProduct(
        string sku, string? scope, ProductImagesStore store, IProductCatalog catalog, IPublishEndpoint publish, TimeProvider time,
        CancellationToken cancellationToken)
    {
        if (Scope(scope) is not { } normalized)
            return InvalidScope(scope!);
        if (await ProductImageHandlers.UnknownProduct(sku, catalog, cancellationToken) is { } unknown)
            return unknown;

        var sagas = await store.Processing.AsNoTracking().Where(x => x.Sku == sku).OrderBy(x => x.StartedAt).ToListAsync(cancellationToken);
        var answers = new List<ImageReprocessAnswer>(sagas.Count);
        foreach (var saga in sagas)
            answers.Add(await Request(saga, normalized, publish, time, cancellationToken));
        // One transaction: the requests reach the bus together, or none does.
        await store.Db.SaveChangesAsync(cancellationToken);

        return TypedResults.Accepted($"/products/{sku}/images", new ProductImagesReprocessAnswer(sku, normalized, answers));
    }

    /// <summary>Publishes the request through the outbox (sent once the caller saves) unless there is nothing to do.</summary>
    static async Task<ImageReprocessAnswer> Request(ImageProcessingState saga, string scope, IPublishEndpoint publish, TimeProvider time,
        CancellationToken cancellationToken)
    {
        // What the machine will decide from the same state; it decides again on the latest state when the request arrives.
        var processing = saga.CurrentState == nameof(ImageProcessingStateMachine.Processing);
        var branches = processing ? 0 : ImageProcessingStateMachine.BranchesToRerun(saga, scope);
        if (branches != 0)
            await publish.Publish(new ReprocessImage(saga.CorrelationId, scope, time.GetUtcNow().UtcDateTime), cancellationToken);

        var names = new List<string>(2);
        if ((branches & ImageProcessingStateMachine.ThumbnailsBit) != 0)
            names.Add("thumbnails");
        if ((branches & ImageProcessingStateMachine.MetadataBit) != 0)
            names.Add("metadata");
        return new ImageReprocessAnswer(saga.CorrelationId, scope, names, processing);
    }

    static string? Scope(string? scope) => scope is null ? ReprocessImage.Failed : Scopes.FirstOrDefault(s => string.Equals(s, scope, StringComparison.OrdinalIgnoreCase));

    static ProblemHttpResult InvalidScope(string scope) =>
        ProductImagesApi.Problem(StatusCodes.Status400BadRequest, "Invalid scope",
            $"scope must be one of {string.Join(", ", Scopes)}; '{(scope.Length > 32 ? scope[..32] + "…" : scope)}' is not.");
}
