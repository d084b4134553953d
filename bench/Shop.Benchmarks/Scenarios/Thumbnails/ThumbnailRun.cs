namespace Shop.Benchmarks.Scenarios.Thumbnails;

/// <summary>What one child process reports for one variant in one round.</summary>
/// <param name="BaselineBytes">Resident memory with the photos and the variant's libraries loaded, before any rendering.</param>
/// <param name="PeakBytes">Highest resident memory while rendering the warm-up and the timed photos.</param>
/// <param name="CpuSeconds">Processor time the whole process used while the timed photos were rendered, every thread.</param>
public sealed record ThumbnailRun(string Variant, int Photos, double Seconds, double CpuSeconds, long BaselineBytes, long PeakBytes, long OutputBytes)
{
    public double ImagesPerSecond => Photos / Seconds;

    /// <summary>Less sensitive than <see cref="ImagesPerSecond"/> to other work on the machine, which takes cores but not this process's time.</summary>
    public double CpuMillisecondsPerImage => CpuSeconds * 1000 / Photos;

    public long PeakAboveBaselineBytes => PeakBytes - BaselineBytes;
}
