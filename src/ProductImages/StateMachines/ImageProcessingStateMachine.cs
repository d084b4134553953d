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

    readonly ImageBranch<ThumbnailsGenerated, GenerateThumbnails, ThumbnailsTimedOut> _thumbnails;
    readonly ImageBranch<ImageMetadataExtracted, ExtractImageMetadata, MetadataTimedOut> _metadata;

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
        _thumbnails = ThumbnailsBranch(settings);
        _metadata = MetadataBranch(settings);

        Initially(
            Dispatch(When(ImageUploaded)
                .Then(context => Start(context.Saga, context.Message, time))
                .TransitionTo(Processing), settings));

        During(Processing, [
            .. Branch(_thumbnails),
            .. Branch(_metadata),
            When(BranchesAnswered)
                .Settle(),
            // Already running: asking again changes nothing.
            Ignore(ReprocessRequested)]);

        During(Processed, PartiallyProcessed, Failed,
            Dispatch(When(ReprocessRequested, context => BranchesToRerun(context.Saga, context.Message.Scope) != 0)
                .Then(context => Restart(context.Saga, BranchesToRerun(context.Saga, context.Message.Scope), time))
                .TransitionTo(Processing), settings)
                .RecordProcessingAgain(),
            LateAnswer(_thumbnails),
            LateAnswer(_metadata),
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

    void Restart(ImageProcessingState saga, int branches, TimeProvider time)
    {
        _thumbnails.Restart(saga, branches);
        _metadata.Restart(saga, branches);

        // The join waits again only for the branches that run again.
        saga.AnsweredBranches &= ~branches;
        saga.UpdatedAt = time.GetUtcNow().UtcDateTime;
    }

    /// <summary>The thumbnail branch: its answer may be partial (thumbnails of a picture that is not whole).</summary>
    ImageBranch<ThumbnailsGenerated, GenerateThumbnails, ThumbnailsTimedOut> ThumbnailsBranch(ImageProcessingSagaOptions settings) => new()
    {
        Bit = ThumbnailsBit,
        Answered = ThumbnailsGenerated,
        Faulted = ThumbnailsFaulted,
        Timeout = ThumbnailsTimeout,
        Ended = ThumbnailsAnswered,
        AnswerAttempt = answer => answer.Attempt,
        CommandAttempt = command => command.Attempt,
        TimeoutAttempt = timedOut => timedOut.Attempt,
        Outcome = answer => (answer.Partial is null ? BranchState.Succeeded : BranchState.Partial, answer.Partial),
        Record = x => x.OfType<RecordThumbnailsActivity>(),
        TimeoutReason = $"No thumbnails within {settings.ThumbnailsTimeout} of asking for them.",
        StateOf = saga => saga.ThumbnailsState,
        AttemptOf = saga => saga.ThumbnailsAttempt,
        Set = (saga, state, reason) => (saga.ThumbnailsState, saga.ThumbnailsReason) = (state, reason),
        SetAttempt = (saga, attempt) => saga.ThumbnailsAttempt = attempt,
    };

    /// <summary>The metadata branch: its answer is always whole.</summary>
    ImageBranch<ImageMetadataExtracted, ExtractImageMetadata, MetadataTimedOut> MetadataBranch(ImageProcessingSagaOptions settings) => new()
    {
        Bit = MetadataBit,
        Answered = MetadataExtracted,
        Faulted = MetadataFaulted,
        Timeout = MetadataTimeout,
        Ended = MetadataAnswered,
        AnswerAttempt = answer => answer.Attempt,
        CommandAttempt = command => command.Attempt,
        TimeoutAttempt = timedOut => timedOut.Attempt,
        // The metadata is whole even when the pixels are not readable; that is the thumbnail branch's to report.
        Outcome = _ => (BranchState.Succeeded, null),
        Record = x => x.OfType<RecordMetadataActivity>(),
        TimeoutReason = $"No metadata within {settings.MetadataTimeout} of asking for it.",
        StateOf = saga => saga.MetadataState,
        AttemptOf = saga => saga.MetadataAttempt,
        Set = (saga, state, reason) => (saga.MetadataState, saga.MetadataReason) = (state, reason),
        SetAttempt = (saga, attempt) => saga.MetadataAttempt = attempt,
    };

    /// <summary>A branch of a run: it ends once, answered (on time or late), faulted or timed out.</summary>
    EventActivities<ImageProcessingState>[] Branch<TAnswer, TCommand, TTimedOut>(ImageBranch<TAnswer, TCommand, TTimedOut> branch)
        where TAnswer : class where TCommand : class where TTimedOut : class =>
    [
        When(branch.Answered, context => branch.Answers(context.Saga, branch.AnswerAttempt(context.Message))
                || branch.AnswersLate(context.Saga, branch.AnswerAttempt(context.Message)))
            .Unschedule(branch.Timeout)
            .Then(context => branch.End(context.Saga, context.Message))
            .Activity(branch.Record)
            .ThenAsync(context => context.Raise(branch.Ended)),
        When(branch.Faulted, context => branch.Answers(context.Saga, branch.CommandAttempt(context.Message.Message)))
            .Unschedule(branch.Timeout)
            .Then(context => branch.End(context.Saga, BranchState.Failed, FaultReason(context.Message)))
            .ThenAsync(context => context.Raise(branch.Ended)),
        When(branch.Timeout.Received, context => branch.Answers(context.Saga, branch.TimeoutAttempt(context.Message)))
            .Then(context => branch.End(context.Saga, BranchState.TimedOut, branch.TimeoutReason))
            .ThenAsync(context => context.Raise(branch.Ended))
    ];

    /// <summary>An answer that comes after its branch timed out is still the image's: keep it and judge again.</summary>
    EventActivities<ImageProcessingState> LateAnswer<TAnswer, TCommand, TTimedOut>(ImageBranch<TAnswer, TCommand, TTimedOut> branch)
        where TAnswer : class where TCommand : class where TTimedOut : class =>
        When(branch.Answered, context => branch.AnswersLate(context.Saga, branch.AnswerAttempt(context.Message)))
            .Then(context => branch.End(context.Saga, context.Message))
            .Activity(branch.Record)
            .Settle();

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

    static string FaultReason<T>(Fault<T> fault) =>
        fault.Exceptions?.FirstOrDefault()?.Message is { Length: > 0 } message ? message : "Processing failed.";
}
