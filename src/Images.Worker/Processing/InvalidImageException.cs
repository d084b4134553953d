namespace Shop.Images.Worker.Processing;

/// <summary>
/// The image cannot or must not be processed: retrying will not help, so it goes straight to the error queue and the
/// image is marked failed with <see cref="Exception.Message"/> as the reason. It deliberately carries no inner
/// exception: a decoder's EndOfStreamException is an IOException, which the retry policy would take as transient.
/// </summary>
public sealed class InvalidImageException(string reason) : Exception(reason);
