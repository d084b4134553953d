using System.Diagnostics;
using System.Runtime.CompilerServices;

namespace Shop.Benchmarks;

/// <summary>
/// A fixed piece of arithmetic on every core, timed: how fast the machine itself is in this minute. On a shared virtual
/// machine the same build's processor time per order moved from 11 to 23 ms within 40 minutes, and a
/// rate bound by processor time moves with it; beside a scenario's figures this says which of a difference is the
/// machine's. Only meaningful while nothing else runs.
/// </summary>
public static class MachineCheck
{
    const long Steps = 500_000_000;

    /// <summary>Wall milliseconds for every core to finish the same fixed work (lower is faster).</summary>
    public static double Run()
    {
        var watch = Stopwatch.StartNew();
        var results = new ulong[Environment.ProcessorCount];
        Parallel.For(0, results.Length, new ParallelOptions { MaxDegreeOfParallelism = results.Length }, i => results[i] = Work(Steps));
        var elapsed = watch.Elapsed.TotalMilliseconds;
        Sink = results.Aggregate(0UL, (sum, x) => sum ^ x); // used, so the loops cannot be dropped
        return elapsed;
    }

    public static ulong Sink { get; private set; }

    // One multiply-add chain: each step waits for the one before, so neither the compiler nor the processor can skip work.
    // Optimised from its first call: tiered compilation would time the first check's loop in unoptimised code.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static ulong Work(long steps)
    {
        var x = 88172645463325252UL;
        for (long i = 0; i < steps; i++)
            x = x * 6364136223846793005UL + 1442695040888963407UL;
        return x;
    }
}
