using MassTransit;

namespace Shop.ProductImages.StateMachines;

// The message names from before the project was called ProductImages: a timeout scheduled by an older build (and kept
// by the durable scheduler) still reaches its saga.

/// <summary>Scheduled by the image saga to itself when it sends <c>GenerateThumbnails</c>.</summary>
[MessageUrn("Shop.Images.StateMachines:ThumbnailsTimedOut")]
public sealed record ThumbnailsTimedOut(Guid ImageId, int Attempt);

/// <summary>Scheduled by the image saga to itself when it sends <c>ExtractImageMetadata</c>.</summary>
[MessageUrn("Shop.Images.StateMachines:MetadataTimedOut")]
public sealed record MetadataTimedOut(Guid ImageId, int Attempt);
