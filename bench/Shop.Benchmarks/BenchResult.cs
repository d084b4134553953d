namespace Shop.Benchmarks;

/// <summary>One figure of one scenario; <see cref="Baseline"/> names the figure it is compared with, if any.</summary>
public sealed record BenchResult(string Scenario, string Metric, double Value, string Unit, string? Baseline = null, double? Ratio = null,
    string? Target = null);

public sealed record BenchSettings(int Messages, int PayloadBytes, int Concurrency, int LagSamples, bool Quick, int Warmup)
{
    public string Payload { get; } = new('x', PayloadBytes);

    public required Scenarios.Thumbnails.ThumbnailSettings Thumbnails { get; init; }
}
