namespace Shop.Benchmarks;

/// <summary>One figure of one scenario; <see cref="Baseline"/> names the figure it is compared with, if any.</summary>
public sealed record BenchResult(string Scenario, string Metric, double Value, string Unit, string? Baseline = null, double? Ratio = null,
    string? Target = null)
{
    /// <summary>Processor time per unit during the timed part, when the scenario measured it.</summary>
    public CpuUse? Cpu { get; init; }

    /// <summary>This figure, then its processor time per unit as figures of their own.</summary>
    public IEnumerable<BenchResult> WithCpuRows()
    {
        yield return this;
        if (Cpu is null)
            yield break;
        var unit = Unit.Split('/')[0];
        yield return new BenchResult(Scenario, $"CPU per {unit}, this process", Cpu.ProcessMs * 1000, "µs");
        yield return new BenchResult(Scenario, $"CPU per {unit}, whole machine", Cpu.MachineMs * 1000, "µs");
    }
}

public sealed record BenchSettings(int Messages, int PayloadBytes, int Concurrency, int LagSamples, bool Quick, int Warmup)
{
    public string Payload { get; } = new('x', PayloadBytes);

    public required Scenarios.Thumbnails.ThumbnailSettings Thumbnails { get; init; }
}
