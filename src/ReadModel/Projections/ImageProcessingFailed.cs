namespace Shop.ReadModel.Projections;

/// <summary>
/// The read side's record of a <c>Fault&lt;ImageUploaded&gt;</c>: a worker gave up on the image. Kept in this shape in the
/// archive, since a fault is an interface the archive could not read back.
/// </summary>
public sealed record ImageProcessingFailed(Guid ImageId, string Reason);
