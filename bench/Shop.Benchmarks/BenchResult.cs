namespace Shop.Benchmarks;

/// <summary>One figure of one scenario; <see cref="Baseline"/> names the figure it is compared with, if any.</summary>
public sealed record BenchResult(string Scenario, string Metric, double Value, string Unit, string? Baseline = null, double? Ratio = null,
    string? Target = null)
{
    /// <summary>Processor time per unit during the timed part, when the scenario measured it.</summary>
    public CpuUse? Cpu { get; init; }

    /// <summary>Database transactions committed per unit during the timed part, when the scenario counted them.</summary>
    public double? CommitsPerUnit { get; init; }

    /// <summary>The figures of the windows this one is the mean of (see <see cref="MeanOfWindows"/>); empty for one window.</summary>
    public IReadOnlyList<double> Windows { get; init; } = [];

    /// <summary>
    /// The mean of two timed windows of one scenario (the run's forward and reverse passes): every figure, processor
    /// time and commits included, with the two figures kept in <see cref="Windows"/>.
    /// </summary>
    public static BenchResult MeanOfWindows(BenchResult first, BenchResult second) => first with
    {
        Value = (first.Value + second.Value) / 2,
        Windows = [first.Value, second.Value],
        CommitsPerUnit = first.CommitsPerUnit is { } a && second.CommitsPerUnit is { } b ? (a + b) / 2 : null,
        Cpu = first.Cpu is { } x && second.Cpu is { } y
            ? new CpuUse((x.ProcessMs + y.ProcessMs) / 2, (x.MachineMs + y.MachineMs) / 2, (x.PostgresMs + y.PostgresMs) / 2,
                (x.RabbitMqMs + y.RabbitMqMs) / 2)
            {
                AllocatedBytes = (x.AllocatedBytes + y.AllocatedBytes) / 2,
                GcPauseMs = (x.GcPauseMs + y.GcPauseMs) / 2
            }
            : null
    };

    /// <summary>This figure, then the figures of its windows and its processor time per unit as figures of their own.</summary>
    public IEnumerable<BenchResult> WithCpuRows()
    {
        yield return this;
        for (var i = 0; i < Windows.Count; i++)
            yield return new BenchResult(Scenario, $"{Metric}, {(i == 0 ? "forward" : "reverse")} pass", Windows[i], Unit);
        var unit = Unit.Split('/')[0];
        if (CommitsPerUnit is { } commits)
            yield return new BenchResult(Scenario, $"DB commits per {unit}", commits, "tx");
        if (Cpu is null)
            yield break;
        yield return new BenchResult(Scenario, $"CPU per {unit}, this process", Cpu.ProcessMs * 1000, "µs");
        yield return new BenchResult(Scenario, $"CPU per {unit}, whole machine", Cpu.MachineMs * 1000, "µs");
        yield return new BenchResult(Scenario, $"CPU per {unit}, PostgreSQL server", Cpu.PostgresMs * 1000, "µs");
        yield return new BenchResult(Scenario, $"CPU per {unit}, RabbitMQ server", Cpu.RabbitMqMs * 1000, "µs");
        yield return new BenchResult(Scenario, $"allocated per {unit}, this process", Cpu.AllocatedBytes / 1024, "KiB");
        yield return new BenchResult(Scenario, $"GC pause per {unit}, this process", Cpu.GcPauseMs * 1000, "µs");
    }
}

public sealed record BenchSettings(int Messages, int PayloadBytes, int Concurrency, int LagSamples, bool Quick, int Warmup)
{
    public string Payload { get; } = new('x', PayloadBytes);

    /// <summary>Least untimed time before a measurement: rounds of <see cref="Warmup"/> repeat until it has passed.</summary>
    public TimeSpan WarmupTime { get; init; }

    /// <summary>Scenario 5's timed burst, in orders.</summary>
    public int Orders { get; init; } = 1_000;

    /// <summary>
    /// Runs <paramref name="round"/> with <see cref="Warmup"/> messages until <see cref="WarmupTime"/> has passed. A count
    /// alone warms scenarios unevenly: 5 000 messages are 10 s of a durable consumer but under 2 s of plain MassTransit,
    /// whose tiered compilation was measured still running 20 s into a run (a tenth of the process's samples in the JIT).
    /// </summary>
    public async Task WarmUp(Func<int, Task> round)
    {
        if (Warmup == 0)
            return;

        var watch = System.Diagnostics.Stopwatch.StartNew();
        do
        {
            await round(Warmup);
        } while (watch.Elapsed < WarmupTime);
    }

    public required Scenarios.Thumbnails.ThumbnailSettings Thumbnails { get; init; }
}
