namespace Shop.Benchmarks.Scenarios;

/// <summary>
/// Scenario 6 as a whole: the raw baseline and our transport against the same fauxqs, alternated round by round so
/// that load from other processes on the shared machine hits both alike, after untimed warm-up rounds of both for at
/// least the warm-up time (the JIT is still busy with MassTransit's and the AWS SDK's code during the first thousands of
/// messages). Each side's median
/// round counts. Every round has queues of its own: on fauxqs a long poll cancelled at the end of a round can still
/// take messages of the next one from its queue. Every queue the run created is deleted at the end, whatever happened.
/// </summary>
public static class AmazonSqsComparison
{
    public static async Task<IReadOnlyList<BenchResult>> Run(BenchSettings settings, int rounds)
    {
        using var peer = await SqsPeer.Connect();
        try
        {
            if (!settings.Quick)
            {
                // Untimed rounds of both sides until the warm-up time has passed; their queues are numbered apart.
                var warmUpRound = 1000;
                await settings.WarmUp(async count =>
                {
                    var warmUp = settings with { Messages = Math.Max(count, settings.Concurrency * 10) };
                    warmUpRound++;
                    await RawSqsScenario.Run(peer, warmUp, warmUpRound);
                    await AmazonSqsTransportScenario.Run(peer, warmUp, warmUpRound);
                });
            }

            var raw = new List<BenchResult>();
            var ours = new List<BenchResult>();
            for (var round = 1; round <= rounds; round++)
            {
                raw.Add(await RawSqsScenario.Run(peer, settings, round));
                ours.Add(await AmazonSqsTransportScenario.Run(peer, settings, round));
                Console.Error.WriteLine($"  round {round}/{rounds}: raw {raw[^1].Value:N0} msg/s, ours {ours[^1].Value:N0} msg/s, " +
                                        $"ratio {ours[^1].Value / raw[^1].Value:0.00}; CPU per message, process / machine: " +
                                        $"raw {Micros(raw[^1].Cpu)}, ours {Micros(ours[^1].Cpu)}");
            }

            var baseline = Median(raw);
            var transport = Median(ours);
            return
            [
                .. baseline.WithCpuRows(),
                .. (transport with { Baseline = baseline.Scenario, Ratio = transport.Value / baseline.Value, Target = ">= 0.65" }).WithCpuRows(),
            ];
        }
        finally
        {
            await peer.DeleteQueues();
        }
    }

    static string Micros(CpuUse? cpu) => cpu is null ? "-" : $"{cpu.ProcessMs * 1000:N0} / {cpu.MachineMs * 1000:N0} µs";

    static BenchResult Median(List<BenchResult> rounds) => rounds.OrderBy(r => r.Value).ElementAt(rounds.Count / 2);
}
