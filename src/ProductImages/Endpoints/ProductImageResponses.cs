using System.Text.Json;

namespace Shop.ProductImages.Endpoints;

/// <summary>The answer to an accepted upload; poll <c>Location</c> for the outcome.</summary>
public sealed record ProductImageAccepted(Guid Id, string Sku, string Status, string Format, long SizeBytes);

/// <summary>
/// The body of <c>POST /products/{sku}/images/upload-url</c> (optional): the image's content type, which the upload
/// form then requires; without it any <c>image/</c> type is accepted.
/// </summary>
public sealed record DirectUploadRequest(string? ContentType);

/// <summary>
/// The answer to <c>POST /products/{sku}/images/upload-url</c>: before <paramref name="ExpiresAt"/>, POST a
/// <c>multipart/form-data</c> form to <paramref name="UploadUrl"/> with every field of <paramref name="UploadFields"/>
/// and then the image as field <c>file</c>; then poll <c>Location</c> (the image, <c>AwaitingUpload</c> until the
/// upload arrives). Storage refuses bodies over <paramref name="MaxSizeBytes"/> or of another content type; uploads
/// that are no image in a supported format end <c>Failed</c>. The first upload that arrives is the image's.
/// </summary>
public sealed record DirectUploadCreated(Guid Id, string Sku, string Status, Uri UploadUrl, string UploadMethod,
    IReadOnlyDictionary<string, string> UploadFields, DateTimeOffset ExpiresAt, long MaxSizeBytes);

/// <summary>An image as <c>GET /images/{id}</c> shows it.</summary>
public sealed record ProductImageResponse(
    Guid Id,
    string Sku,
    string Status,
    string? FailureReason,
    string Format,
    string ContentType,
    long SizeBytes,
    int? Width,
    int? Height,
    string OriginalUrl,
    IReadOnlyList<ThumbnailLink> Thumbnails,
    JsonElement? Metadata,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    ImageProcessingView? Processing = null);

/// <summary>
/// The image processing state machine's view of the image: <paramref name="State"/> is <c>Processing</c>,
/// <c>Processed</c>, <c>PartiallyProcessed</c> or <c>Failed</c>; null before the machine has started (or for a direct
/// upload that was refused).
/// </summary>
public sealed record ImageProcessingView(string State, ImageBranchView Thumbnails, ImageBranchView Metadata, int Run, DateTime StartedAt,
    DateTime? CompletedAt);

/// <summary>
/// One branch: <c>Running</c>, <c>Succeeded</c>, <c>Partial</c>, <c>Failed</c> or <c>TimedOut</c>, why (unless it
/// simply succeeded or is running), and which run of the branch this is.
/// </summary>
public sealed record ImageBranchView(string State, string? Reason, int Attempt);

/// <summary>
/// The answer to <c>POST /images/{id}/reprocess</c>: the branches run again (<c>thumbnails</c>, <c>metadata</c>); none
/// when the image is still being processed (<paramref name="AlreadyProcessing"/>) or has nothing to run again.
/// </summary>
public sealed record ImageReprocessAnswer(Guid Id, string Scope, IReadOnlyList<string> Branches, bool AlreadyProcessing);

/// <summary>The answer to <c>POST /products/{sku}/images/reprocess</c>: the images asked to run again.</summary>
public sealed record ProductImagesReprocessAnswer(string Sku, string Scope, IReadOnlyList<ImageReprocessAnswer> Images);

public sealed record ThumbnailLink(int Size, string Format, int Width, int Height, string ContentType, string Url);
