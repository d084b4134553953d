using MassTransit;
using Shop.Contracts.Images;
using Shop.ProductImages.Domain;

namespace Shop.ProductImages.StateMachines;

/// <summary>
/// What the image saga records for the API, each step a state-machine activity that gets <see cref="IProductImageRecorder"/>
/// (the consume scope's, so the record joins the saga's transaction) through its constructor.
/// </summary>
static class ImageProcessingActivities
{
    public static EventActivityBinder<ImageProcessingState, ThumbnailsGenerated> RecordThumbnails(
        this EventActivityBinder<ImageProcessingState, ThumbnailsGenerated> binder) =>
        binder.Activity(x => x.OfType<RecordThumbnailsActivity>());

    public static EventActivityBinder<ImageProcessingState, ImageMetadataExtracted> RecordMetadata(
        this EventActivityBinder<ImageProcessingState, ImageMetadataExtracted> binder) =>
        binder.Activity(x => x.OfType<RecordMetadataActivity>());

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
    : IStateMachineActivity<ImageProcessingState, ThumbnailsGenerated>
{
    public async Task Execute(BehaviorContext<ImageProcessingState, ThumbnailsGenerated> context,
        IBehavior<ImageProcessingState, ThumbnailsGenerated> next)
    {
        await recorder.Thumbnails(context.Saga.CorrelationId, context.Message.Thumbnails ?? [],
            ImageProcessingActivities.Touch(context.Saga, time), context.CancellationToken);
        await next.Execute(context);
    }

    public Task Faulted<TException>(BehaviorExceptionContext<ImageProcessingState, ThumbnailsGenerated, TException> context,
        IBehavior<ImageProcessingState, ThumbnailsGenerated> next) where TException : Exception => next.Faulted(context);

    public void Probe(ProbeContext context) => context.CreateScope("record-thumbnails");

    public void Accept(StateMachineVisitor visitor) => visitor.Visit(this);
}

/// <summary>Stores the metadata a branch answered with on the image.</summary>
public sealed class RecordMetadataActivity(IProductImageRecorder recorder, TimeProvider time)
    : IStateMachineActivity<ImageProcessingState, ImageMetadataExtracted>
{
    public async Task Execute(BehaviorContext<ImageProcessingState, ImageMetadataExtracted> context,
        IBehavior<ImageProcessingState, ImageMetadataExtracted> next)
    {
        await recorder.Metadata(context.Saga.CorrelationId, context.Message, ImageProcessingActivities.Touch(context.Saga, time),
            context.CancellationToken);
        await next.Execute(context);
    }

    public Task Faulted<TException>(BehaviorExceptionContext<ImageProcessingState, ImageMetadataExtracted, TException> context,
        IBehavior<ImageProcessingState, ImageMetadataExtracted> next) where TException : Exception => next.Faulted(context);

    public void Probe(ProbeContext context) => context.CreateScope("record-metadata");

    public void Accept(StateMachineVisitor visitor) => visitor.Visit(this);
}

/// <summary>The steps of the image saga that need only its state, whatever event it is handling.</summary>
public abstract class ImageStateActivity : IStateMachineActivity<ImageProcessingState>
{
    protected abstract Task Execute(BehaviorContext<ImageProcessingState> context);

    public async Task Execute(BehaviorContext<ImageProcessingState> context, IBehavior<ImageProcessingState> next)
    {
        await Execute(context);
        await next.Execute(context);
    }

    public async Task Execute<T>(BehaviorContext<ImageProcessingState, T> context, IBehavior<ImageProcessingState, T> next) where T : class
    {
        await Execute(context);
        await next.Execute(context);
    }

    public Task Faulted<TException>(BehaviorExceptionContext<ImageProcessingState, TException> context, IBehavior<ImageProcessingState> next)
        where TException : Exception => next.Faulted(context);

    public Task Faulted<T, TException>(BehaviorExceptionContext<ImageProcessingState, T, TException> context, IBehavior<ImageProcessingState, T> next)
        where T : class where TException : Exception => next.Faulted(context);

    public void Probe(ProbeContext context) => context.CreateScope(GetType().Name);

    public void Accept(StateMachineVisitor visitor) => visitor.Visit(this);
}

/// <summary>Records the image as <see cref="ProductImageStatus.Pending"/> again: a reprocess run has started.</summary>
public sealed class RecordProcessingAgainActivity(IProductImageRecorder recorder, TimeProvider time) : ImageStateActivity
{
    protected override Task Execute(BehaviorContext<ImageProcessingState> context) =>
        recorder.Status(context.Saga.CorrelationId, ProductImageStatus.Pending, null, ImageProcessingActivities.Touch(context.Saga, time),
            context.CancellationToken);
}

/// <summary>
/// The verdict once both branches have ended: the saga moves to the state they lead to, the image records it with its
/// reason, and <see cref="ImageProcessingCompleted"/> tells everyone else.
/// </summary>
public sealed class SettleActivity(ImageProcessingStateMachine machine, IProductImageRecorder recorder, TimeProvider time) : ImageStateActivity
{
    protected override async Task Execute(BehaviorContext<ImageProcessingState> context)
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
