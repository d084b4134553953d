using MassTransit;

namespace Shop.ProductImages.StateMachines;

/// <summary>The image processing saga's instance, persisted in <c>image_processing_state</c> by the durable store.</summary>
public sealed class ImageProcessingState : SagaStateMachineInstance
{
    public Guid CorrelationId { get; set; }
    public string CurrentState { get; set; } = "";
    public string Sku { get; set; } = "";
    public string BlobKey { get; set; } = "";
    public string ContentType { get; set; } = "";
    public string Format { get; set; } = "";
    public long SizeBytes { get; set; }

    public string ThumbnailsState { get; set; } = BranchState.Running;
    public string? ThumbnailsReason { get; set; }
    public int ThumbnailsAttempt { get; set; }
    public Guid? ThumbnailsTimeoutTokenId { get; set; }

    public string MetadataState { get; set; } = BranchState.Running;
    public string? MetadataReason { get; set; }
    public int MetadataAttempt { get; set; }
    public Guid? MetadataTimeoutTokenId { get; set; }

    /// <summary>The composite event's record of which branches have answered in this run (bit per branch).</summary>
    public int AnsweredBranches { get; set; }

    /// <summary>Verdicts given so far: 1 after the first, one more after each re-processing or late answer.</summary>
    public int Run { get; set; }

    public DateTime StartedAt { get; set; }
    public DateTime? CompletedAt { get; set; }
    public DateTime UpdatedAt { get; set; }
}

/// <summary>Where one branch (thumbnails, metadata) of an image's processing is.</summary>
public static class BranchState
{
    public const string Running = "Running";
    public const string Succeeded = "Succeeded";

    /// <summary>Done, with a result that is short of whole (thumbnails of a truncated JPEG, metadata without pixels).</summary>
    public const string Partial = "Partial";

    public const string Failed = "Failed";
    public const string TimedOut = "TimedOut";

    public const int MaxReasonLength = 1000;

    public static bool HasResult(string state) => state is Succeeded or Partial;

    public static bool DidNotAnswer(string state) => state is Failed or TimedOut;

    public static string? Reason(string? reason) => reason is { Length: > MaxReasonLength } ? reason[..MaxReasonLength] : reason;
}
