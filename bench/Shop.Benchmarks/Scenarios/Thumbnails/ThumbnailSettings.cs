namespace Shop.Benchmarks.Scenarios.Thumbnails;

/// <param name="Photos">Distinct photos each variant renders per round (after the untimed warm-up).</param>
/// <param name="Rounds">Rounds; each runs every variant once, in a rotated order, so noise on the shared machine hits all alike.</param>
/// <param name="Concurrency">Photos in flight per variant, as <c>Images:ConcurrentImages</c> does in the worker.</param>
/// <param name="WarmUpSeconds">How long each variant renders the first photo untimed before the timed photos.</param>
public sealed record ThumbnailSettings(int Photos, int Width, int Height, int Rounds, int Concurrency, double WarmUpSeconds);
