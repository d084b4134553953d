namespace Shop.Images.StateMachines;

/// <summary>Scheduled by the image saga to itself when it sends <c>GenerateThumbnails</c>.</summary>
public sealed record ThumbnailsTimedOut(Guid ImageId, int Attempt);

/// <summary>Scheduled by the image saga to itself when it sends <c>ExtractImageMetadata</c>.</summary>
public sealed record MetadataTimedOut(Guid ImageId, int Attempt);
