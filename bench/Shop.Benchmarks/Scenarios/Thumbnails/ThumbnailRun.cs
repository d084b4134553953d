namespace Shop.Benchmarks.Scenarios.Thumbnails;

/// <summary>What one child process reports for one variant in one round.</summary>
/// <param name="BaselineBytes">Resident memory with the photos and the variant's libraries loaded, before any rendering.</param>
/// <param name="PeakBytes">Highest resident memory while rendering the warm-up and the timed photos.</param>
public sealed record ThumbnailRun(string Variant, int Photos, double Seconds, long BaselineBytes, long PeakBytes, long OutputBytes)
{
    public double ImagesPerSecond => Photos / Seconds;

    public long PeakAboveBaselineBytes => PeakBytes - BaselineBytes;
}
