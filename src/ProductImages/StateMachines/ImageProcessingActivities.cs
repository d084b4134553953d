using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Shop.Contracts.Images;
using Shop.ProductImages.Domain;

namespace Shop.ProductImages.StateMachines;

/// <summary>
/// What the image saga records for the API, through the consume scope's services so it joins the saga's transaction.
/// </summary>
static class ImageProcessingActivities
{
    public static EventActivityBinder<ImageProcessingState, ThumbnailsGenerated> RecordThumbnails(
        this EventActivityBinder<ImageProcessingState, ThumbnailsGenerated> binder, TimeProvider time) =>
        binder.ThenAsync(context => Recorder(context).Thumbnails(context.Saga.CorrelationId, context.Message.Thumbnails ?? [],
            Touch(context.Saga, time), context.CancellationToken));

    public static EventActivityBinder<ImageProcessingState, ImageMetadataExtracted> RecordMetadata(
        this EventActivityBinder<ImageProcessingState, ImageMetadataExtracted> binder, TimeProvider time) =>
        binder.ThenAsync(context => Recorder(context).Metadata(context.Saga.CorrelationId, context.Message, Touch(context.Saga, time),
            context.CancellationToken));

    /// <summary>Records the image as being processed again.</summary>
    public static EventActivityBinder<ImageProcessingState, T> RecordStatus<T>(this EventActivityBinder<ImageProcessingState, T> binder,
        TimeProvider time) where T : class =>
        binder.ThenAsync(context => Recorder(context).Status(context.Saga.CorrelationId, ProductImageStatus.Pending, null, Touch(context.Saga, time),
            context.CancellationToken));

    /// <summary>The verdict: the state the branches lead to, recorded on the image and published.</summary>
    public static EventActivityBinder<ImageProcessingState> Settle(this EventActivityBinder<ImageProcessingState> binder,
        ImageProcessingStateMachine machine, TimeProvider time) =>
        binder.ThenAsync(context => Settle(context, machine, time));

    public static EventActivityBinder<ImageProcessingState, T> Settle<T>(this EventActivityBinder<ImageProcessingState, T> binder,
        ImageProcessingStateMachine machine, TimeProvider time) where T : class =>
        binder.ThenAsync(context => Settle(context, machine, time));

    static async Task Settle(BehaviorContext<ImageProcessingState> context, ImageProcessingStateMachine machine, TimeProvider time)
    {
        var saga = context.Saga;
        var verdict = machine.VerdictOf(saga);
        await context.TransitionToState(verdict);

        var now = Touch(saga, time);
        saga.CompletedAt = now.UtcDateTime;
        saga.Run++;
        var status = Enum.Parse<ProductImageStatus>(verdict.Name);
        await Recorder(context).Status(saga.CorrelationId, status, ReasonOf(saga), now, context.CancellationToken);
        await context.Publish(new ImageProcessingCompleted(saga.CorrelationId, saga.Sku, verdict.Name, saga.ThumbnailsState, saga.ThumbnailsReason,
            saga.MetadataState, saga.MetadataReason, saga.Run, now.UtcDateTime));
    }

    /// <summary>What the image's one-line reason says: each branch that did not simply succeed, with its reason.</summary>
    internal static string? ReasonOf(ImageProcessingState saga)
    {
        var reasons = new List<string>(2);
        if (saga.ThumbnailsState != BranchState.Succeeded)
            reasons.Add($"Thumbnails {saga.ThumbnailsState.ToLowerInvariant()}: {saga.ThumbnailsReason}");
        if (saga.MetadataState != BranchState.Succeeded)
            reasons.Add($"Metadata {saga.MetadataState.ToLowerInvariant()}: {saga.MetadataReason}");
        return reasons.Count == 0 ? null : string.Join(" ", reasons);
    }

    static IProductImageRecorder Recorder(PipeContext context) =>
        context.GetPayload<IServiceProvider>().GetRequiredService<IProductImageRecorder>();

    static DateTimeOffset Touch(ImageProcessingState saga, TimeProvider time)
    {
        var now = time.GetUtcNow();
        saga.UpdatedAt = now.UtcDateTime;
        return now;
    }
}
