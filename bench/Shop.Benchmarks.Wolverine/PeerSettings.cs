namespace Shop.Benchmarks.Wolverine;

/// <summary>The parameters of the parent's run, so both sides do the same work.</summary>
public sealed record PeerSettings(bool Durable, string RabbitUrl, string? ConnectionString, int Messages, int Warmup, TimeSpan WarmupTime,
    int PayloadBytes, int Concurrency, string Listener, bool WaitForStatistics)
{
    public string Payload { get; } = new('x', PayloadBytes);

    public static PeerSettings Parse(string[] args)
    {
        var values = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        for (var i = 1; i + 1 < args.Length; i += 2)
            values[args[i].TrimStart('-')] = args[i + 1];

        int Int(string name) => int.Parse(values[name]);
        var durable = args[0] switch
        {
            "plain" => false,
            "durable" => true,
            _ => throw new ArgumentException($"Expected plain or durable, got {args[0]}."),
        };
        return new PeerSettings(durable, values["rabbit"], values.GetValueOrDefault("postgres"), Int("messages"), Int("warmup"),
            TimeSpan.FromSeconds(Int("warmup-seconds")), Int("payload-bytes"), Int("concurrency"), values.GetValueOrDefault("listener", "inline"),
            values.GetValueOrDefault("count-commits-after-flush", "true") == "true");
    }

    /// <summary>As <c>BenchSettings.WarmUp</c> in the parent: rounds of <see cref="Warmup"/> until <see cref="WarmupTime"/> has passed.</summary>
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
}

/// <summary>What the parent reads back: the timed part's rate and processor time per message.</summary>
public sealed record PeerResult(string Scenario, double MessagesPerSecond, double ProcessMs, double MachineMs, double? CommitsPerMessage,
    double PostgresMs = 0, double RabbitMqMs = 0, double AllocatedBytes = 0, double GcPauseMs = 0);
