using MassTransit;
using Shop.Contracts.Images;
using Shop.Messaging.Sagas;
using Shop.ProductImages.Domain;

namespace Shop.ProductImages.StateMachines;

/// <summary>
/// What the image saga records for the API, each step a state-machine activity that gets <see cref="IProductImageRecorder"/>
/// (the consume scope's, so the record joins the saga's transaction) through its constructor.
/// </summary>
static class ImageProcessingActivities
{
    /// <summary>Records the image as being processed again.</summary>
    public static EventActivityBinder<ImageProcessingState, T> RecordProcessingAgain<T>(this EventActivityBinder<ImageProcessingState, T> binder)
        where T : class =>
        binder.Activity(x => x.OfInstanceType<RecordProcessingAgainActivity>());

    /// <summary>The verdict: the state the branches lead to, recorded on the image and published (<see cref="SettleActivity"/>).</summary>
    public static EventActivityBinder<ImageProcessingState> Settle(this EventActivityBinder<ImageProcessingState> binder) =>
        binder.Activity(x => x.OfType<SettleActivity>());

    public static EventActivityBinder<ImageProcessingState, T> Settle<T>(this EventActivityBinder<ImageProcessingState, T> binder) where T : class =>
        binder.Activity(x => x.OfInstanceType<SettleActivity>());

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

    /// <summary>Now, also as the saga's last update.</summary>
    internal static DateTimeOffset Touch(ImageProcessingState saga, TimeProvider time)
    {
        var now = time.GetUtcNow();
        saga.UpdatedAt = now.UtcDateTime;
        return now;
    }
}

/// <summary>Stores the thumbnails a branch answered with on the image.</summary>
public sealed class RecordThumbnailsActivity(IProductImageRecorder recorder, TimeProvider time)
    : SagaStep<ImageProcessingState, ThumbnailsGenerated>("record-thumbnails")
{
    protected override Task Run(BehaviorContext<ImageProcessingState, ThumbnailsGenerated> context) =>
        recorder.Thumbnails(context.Saga.CorrelationId, context.Message.Thumbnails ?? [], ImageProcessingActivities.Touch(context.Saga, time),
            context.CancellationToken);
}

/// <summary>Stores the metadata a branch answered with on the image.</summary>
public sealed class RecordMetadataActivity(IProductImageRecorder recorder, TimeProvider time)
    : SagaStep<ImageProcessingState, ImageMetadataExtracted>("record-metadata")
{
    protected override Task Run(BehaviorContext<ImageProcessingState, ImageMetadataExtracted> context) =>
        recorder.Metadata(context.Saga.CorrelationId, context.Message, ImageProcessingActivities.Touch(context.Saga, time),
            context.CancellationToken);
}

/// <summary>Records the image as <see cref="ProductImageStatus.Pending"/> again: a reprocess run has started.</summary>
public sealed class RecordProcessingAgainActivity(IProductImageRecorder recorder, TimeProvider time)
    : SagaStep<ImageProcessingState>("record-processing-again")
{
    protected override Task Run(BehaviorContext<ImageProcessingState> context) =>
        recorder.Status(context.Saga.CorrelationId, ProductImageStatus.Pending, null, ImageProcessingActivities.Touch(context.Saga, time),
            context.CancellationToken);
}

/// <summary>
/// The verdict once both branches have ended: the saga moves to the state they lead to, the image records it with its
/// reason, and <see cref="ImageProcessingCompleted"/> tells everyone else.
/// </summary>
public sealed class SettleActivity(ImageProcessingStateMachine machine, IProductImageRecorder recorder, TimeProvider time)
    : SagaStep<ImageProcessingState>("settle")
{
    protected override async Task Run(BehaviorContext<ImageProcessingState> context)
    {
        var saga = context.Saga;
        var verdict = machine.VerdictOf(saga);
        await context.TransitionToState(verdict);

        var now = ImageProcessingActivities.Touch(saga, time);
        saga.CompletedAt = now.UtcDateTime;
        saga.Run++;
        var status = Enum.Parse<ProductImageStatus>(verdict.Name);
        await recorder.Status(saga.CorrelationId, status, ImageProcessingActivities.ReasonOf(saga), now, context.CancellationToken);
        await context.Publish(new ImageProcessingCompleted(saga.CorrelationId, saga.Sku, verdict.Name, saga.ThumbnailsState, saga.ThumbnailsReason,
            saga.MetadataState, saga.MetadataReason, saga.Run, now.UtcDateTime));
    }
}
