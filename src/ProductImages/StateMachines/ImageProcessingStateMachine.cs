using MassTransit;
using Microsoft.Extensions.Options;
using Shop.Contracts.Images;

namespace Shop.ProductImages.StateMachines;

/// <summary>
/// The processing of one product image: on <see cref="Contracts.Images.ImageUploaded"/> both branches start
/// (thumbnails and metadata, one command each to Images.Worker, each with a durable timeout); every branch ends once,
/// in success, a partial result, a fault after the worker's retries, or its timeout; when both have ended, in either
/// order, the composite <see cref="BranchesAnswered"/> gives the verdict: <see cref="Processed"/>,
/// <see cref="PartiallyProcessed"/> (one branch's result kept and shown, the other's reason recorded) or
/// <see cref="Failed"/>. A settled image can be processed again (<see cref="Contracts.Images.ReprocessImage"/>): the
/// branches that failed, or all of them, run once more under a new attempt number, so answers to an earlier run are
/// told apart; a branch's answer that arrives after its timeout is still taken.
/// </summary>
public sealed class ImageProcessingStateMachine : MassTransitStateMachine<ImageProcessingState>
{
    // A late answer (after the branch's timeout) raises its branch's event a second time in the same run; that only sets a
    // bit already set, and once both are set the machine has left Processing, so the join still happens once.

    /// <summary>The composite event's bits, in the order its events are listed below.</summary>
    internal const int ThumbnailsBit = 1, MetadataBit = 2;

    public ImageProcessingStateMachine(IOptions<ImageProcessingSagaOptions> options, TimeProvider time)
    {
        var settings = options.Value;
        InstanceState(x => x.CurrentState);

        Event(() => ImageUploaded, e => e.CorrelateById(m => m.Message.ImageId));
        Event(() => ThumbnailsGenerated, e => ByImageId(e, m => m.ImageId));
        Event(() => ThumbnailsFaulted, e => ByImageId(e, m => m.Message.ImageId));
        Event(() => MetadataExtracted, e => ByImageId(e, m => m.ImageId));
        Event(() => MetadataFaulted, e => ByImageId(e, m => m.Message.ImageId));
        Event(() => ReprocessRequested, e => ByImageId(e, m => m.ImageId));

        Schedule(() => ThumbnailsTimeout, x => x.ThumbnailsTimeoutTokenId, s =>
        {
            s.Delay = settings.ThumbnailsTimeout;
            s.Received = e => ByImageId(e, m => m.ImageId);
        });
        Schedule(() => MetadataTimeout, x => x.MetadataTimeoutTokenId, s =>
        {
            s.Delay = settings.MetadataTimeout;
            s.Received = e => ByImageId(e, m => m.ImageId);
        });

        CompositeEvent(() => BranchesAnswered, x => x.AnsweredBranches, ThumbnailsAnswered, MetadataAnswered);

        Initially(
            Dispatch(When(ImageUploaded)
                .Then(context => Start(context.Saga, context.Message, time))
                .TransitionTo(Processing), settings));

        During(Processing, [
            .. ThumbnailsBranch(settings),
            .. MetadataBranch(settings),
            When(BranchesAnswered)
                .Settle(),
            // Already running: asking again changes nothing.
            Ignore(ReprocessRequested)]);

        During(Processed, PartiallyProcessed, Failed,
            Dispatch(When(ReprocessRequested, context => BranchesToRerun(context.Saga, context.Message.Scope) != 0)
                .Then(context => Restart(context.Saga, BranchesToRerun(context.Saga, context.Message.Scope), time))
                .TransitionTo(Processing), settings)
                .RecordProcessingAgain(),
            // An answer that comes after its branch timed out is still the image's: keep it and judge again.
            When(ThumbnailsGenerated, context => AnswersLate(context.Saga.ThumbnailsState, context.Saga.ThumbnailsAttempt, context.Message.Attempt))
                .Then(context => ThumbnailsDone(context.Saga, context.Message))
                .RecordThumbnails()
                .Settle(),
            When(MetadataExtracted, context => AnswersLate(context.Saga.MetadataState, context.Saga.MetadataAttempt, context.Message.Attempt))
                .Then(context => MetadataDone(context.Saga, context.Message))
                .RecordMetadata()
                .Settle(),
            Ignore(ThumbnailsFaulted),
            Ignore(MetadataFaulted),
            Ignore(ThumbnailsTimeout.Received),
            Ignore(MetadataTimeout.Received));

        DuringAny(Ignore(ImageUploaded));
    }

    public State Processing { get; private set; } = null!;
    public State Processed { get; private set; } = null!;
    public State PartiallyProcessed { get; private set; } = null!;
    public State Failed { get; private set; } = null!;

    public Event<ImageUploaded> ImageUploaded { get; private set; } = null!;
    public Event<ThumbnailsGenerated> ThumbnailsGenerated { get; private set; } = null!;
    public Event<Fault<GenerateThumbnails>> ThumbnailsFaulted { get; private set; } = null!;
    public Event<ImageMetadataExtracted> MetadataExtracted { get; private set; } = null!;
    public Event<Fault<ExtractImageMetadata>> MetadataFaulted { get; private set; } = null!;
    public Event<ReprocessImage> ReprocessRequested { get; private set; } = null!;

    /// <summary>Raised once per run when the thumbnail branch has ended, however it ended.</summary>
    public Event ThumbnailsAnswered { get; private set; } = null!;

    public Event MetadataAnswered { get; private set; } = null!;

    /// <summary>Both branches have ended: the join.</summary>
    public Event BranchesAnswered { get; private set; } = null!;

    public Schedule<ImageProcessingState, ThumbnailsTimedOut> ThumbnailsTimeout { get; private set; } = null!;
    public Schedule<ImageProcessingState, MetadataTimedOut> MetadataTimeout { get; private set; } = null!;

    /// <summary>The state a settled image is in, from its branches.</summary>
    internal State VerdictOf(ImageProcessingState saga) =>
        saga.ThumbnailsState == BranchState.Succeeded && saga.MetadataState == BranchState.Succeeded ? Processed
        : BranchState.DidNotAnswer(saga.ThumbnailsState) && BranchState.DidNotAnswer(saga.MetadataState) ? Failed
        : PartiallyProcessed;

    // Answers for an image this service never saw (or already forgot) are dropped rather than faulted.
    static void ByImageId<T>(IEventCorrelationConfigurator<ImageProcessingState, T> e, Func<T, Guid> imageId) where T : class
    {
        e.CorrelateById(context => imageId(context.Message));
        e.OnMissingInstance(m => m.Discard());
    }

    /// <summary>
    /// Whether an answer ends the branch now: it is still running and the answer is to its current attempt (0: a
    /// worker that does not say, taken as the current one). Anything else is a duplicate or an answer to an earlier run.
    /// </summary>
    static bool Answers(string state, int attempt, int answered) => state == BranchState.Running && (answered == 0 || answered == attempt);

    static bool AnswersLate(string state, int attempt, int answered) => state == BranchState.TimedOut && (answered == 0 || answered == attempt);

    static void Start(ImageProcessingState saga, ImageUploaded uploaded, TimeProvider time)
    {
        saga.Sku = uploaded.Sku;
        saga.BlobKey = uploaded.BlobKey;
        saga.ContentType = uploaded.ContentType;
        saga.Format = uploaded.Format;
        saga.SizeBytes = uploaded.SizeBytes;
        saga.ThumbnailsState = saga.MetadataState = BranchState.Running;
        saga.ThumbnailsAttempt = saga.MetadataAttempt = 1;
        saga.StartedAt = saga.UpdatedAt = time.GetUtcNow().UtcDateTime;
    }

    /// <summary>Which branches a reprocess request runs again (composite bits); 0 when there is nothing to run.</summary>
    internal static int BranchesToRerun(ImageProcessingState saga, string? scope) => scope?.ToLowerInvariant() switch
    {
        ReprocessImage.All => ThumbnailsBit | MetadataBit,
        "thumbnails" => ThumbnailsBit,
        "metadata" => MetadataBit,
        ReprocessImage.Failed or null => (saga.ThumbnailsState == BranchState.Succeeded ? 0 : ThumbnailsBit)
            | (saga.MetadataState == BranchState.Succeeded ? 0 : MetadataBit),
        _ => 0,
    };

    static void Restart(ImageProcessingState saga, int branches, TimeProvider time)
    {
        if ((branches & ThumbnailsBit) != 0)
        {
            saga.ThumbnailsState = BranchState.Running;
            saga.ThumbnailsReason = null;
            saga.ThumbnailsAttempt++;
        }

        if ((branches & MetadataBit) != 0)
        {
            saga.MetadataState = BranchState.Running;
            saga.MetadataReason = null;
            saga.MetadataAttempt++;
        }

        // The join waits again only for the branches that run again.
        saga.AnsweredBranches &= ~branches;
        saga.UpdatedAt = time.GetUtcNow().UtcDateTime;
    }

    /// <summary>The thumbnail branch of a run: it ends once, answered (on time or late), faulted or timed out.</summary>
    EventActivities<ImageProcessingState>[] ThumbnailsBranch(ImageProcessingSagaOptions settings) =>
    [
        When(ThumbnailsGenerated, context => Answers(context.Saga.ThumbnailsState, context.Saga.ThumbnailsAttempt, context.Message.Attempt)
                || AnswersLate(context.Saga.ThumbnailsState, context.Saga.ThumbnailsAttempt, context.Message.Attempt))
            .Unschedule(ThumbnailsTimeout)
            .Then(context => ThumbnailsDone(context.Saga, context.Message))
            .RecordThumbnails()
            .ThenAsync(context => context.Raise(ThumbnailsAnswered)),
        When(ThumbnailsFaulted, context => Answers(context.Saga.ThumbnailsState, context.Saga.ThumbnailsAttempt, context.Message.Message.Attempt))
            .Unschedule(ThumbnailsTimeout)
            .Then(context => BranchFailed(context.Saga, thumbnails: true, BranchState.Failed, FaultReason(context.Message)))
            .ThenAsync(context => context.Raise(ThumbnailsAnswered)),
        When(ThumbnailsTimeout.Received, context => Answers(context.Saga.ThumbnailsState, context.Saga.ThumbnailsAttempt, context.Message.Attempt))
            .Then(context => BranchFailed(context.Saga, thumbnails: true, BranchState.TimedOut,
                $"No thumbnails within {settings.ThumbnailsTimeout} of asking for them."))
            .ThenAsync(context => context.Raise(ThumbnailsAnswered))
    ];

    /// <summary>The metadata branch of a run, ending the same ways as <see cref="ThumbnailsBranch"/>.</summary>
    EventActivities<ImageProcessingState>[] MetadataBranch(ImageProcessingSagaOptions settings) =>
    [
        When(MetadataExtracted, context => Answers(context.Saga.MetadataState, context.Saga.MetadataAttempt, context.Message.Attempt)
                || AnswersLate(context.Saga.MetadataState, context.Saga.MetadataAttempt, context.Message.Attempt))
            .Unschedule(MetadataTimeout)
            .Then(context => MetadataDone(context.Saga, context.Message))
            .RecordMetadata()
            .ThenAsync(context => context.Raise(MetadataAnswered)),
        When(MetadataFaulted, context => Answers(context.Saga.MetadataState, context.Saga.MetadataAttempt, context.Message.Message.Attempt))
            .Unschedule(MetadataTimeout)
            .Then(context => BranchFailed(context.Saga, thumbnails: false, BranchState.Failed, FaultReason(context.Message)))
            .ThenAsync(context => context.Raise(MetadataAnswered)),
        When(MetadataTimeout.Received, context => Answers(context.Saga.MetadataState, context.Saga.MetadataAttempt, context.Message.Attempt))
            .Then(context => BranchFailed(context.Saga, thumbnails: false, BranchState.TimedOut,
                $"No metadata within {settings.MetadataTimeout} of asking for it."))
            .ThenAsync(context => context.Raise(MetadataAnswered))
    ];

    /// <summary>Sends the command of every running branch and schedules its timeout.</summary>
    EventActivityBinder<ImageProcessingState, T> Dispatch<T>(EventActivityBinder<ImageProcessingState, T> binder,
        ImageProcessingSagaOptions settings) where T : class =>
        binder
            .If(context => context.Saga.ThumbnailsState == BranchState.Running, run => run
                .Send(settings.GenerateThumbnailsAddress, context => new GenerateThumbnails(context.Saga.CorrelationId, context.Saga.BlobKey,
                    context.Saga.ContentType, context.Saga.Format, context.Saga.SizeBytes, context.Saga.ThumbnailsAttempt))
                .Schedule(ThumbnailsTimeout, context => new ThumbnailsTimedOut(context.Saga.CorrelationId, context.Saga.ThumbnailsAttempt)))
            .If(context => context.Saga.MetadataState == BranchState.Running, run => run
                .Send(settings.ExtractMetadataAddress, context => new ExtractImageMetadata(context.Saga.CorrelationId, context.Saga.BlobKey,
                    context.Saga.ContentType, context.Saga.Format, context.Saga.SizeBytes, context.Saga.MetadataAttempt))
                .Schedule(MetadataTimeout, context => new MetadataTimedOut(context.Saga.CorrelationId, context.Saga.MetadataAttempt)));

    static void ThumbnailsDone(ImageProcessingState saga, ThumbnailsGenerated generated)
    {
        saga.ThumbnailsState = generated.Partial is null ? BranchState.Succeeded : BranchState.Partial;
        saga.ThumbnailsReason = BranchState.Reason(generated.Partial);
    }

    static void MetadataDone(ImageProcessingState saga, ImageMetadataExtracted extracted)
    {
        // The metadata is whole even when the pixels are not readable; that is the thumbnail branch's to report.
        saga.MetadataState = BranchState.Succeeded;
        saga.MetadataReason = null;
    }

    static void BranchFailed(ImageProcessingState saga, bool thumbnails, string state, string reason)
    {
        if (thumbnails)
        {
            saga.ThumbnailsState = state;
            saga.ThumbnailsReason = BranchState.Reason(reason);
        }
        else
        {
            saga.MetadataState = state;
            saga.MetadataReason = BranchState.Reason(reason);
        }
    }

    static string FaultReason<T>(Fault<T> fault) =>
        fault.Exceptions?.FirstOrDefault()?.Message is { Length: > 0 } message ? message : "Processing failed.";
}
