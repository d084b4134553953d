using System.Diagnostics;

namespace Shop.Benchmarks;

/// <summary>Processor time used per unit of work while a scenario's timed part runs.</summary>
/// <param name="ProcessMs">This process: the code under test and its load generator.</param>
/// <param name="MachineMs">Every process (broker and database included); meaningful on an otherwise quiet machine only.</param>
/// <param name="PostgresMs">PostgreSQL's server processes (every backend, whoever it serves).</param>
/// <param name="RabbitMqMs">RabbitMQ's server process.</param>
public sealed record CpuUse(double ProcessMs, double MachineMs, double PostgresMs = 0, double RabbitMqMs = 0)
{
    /// <summary>Bytes this process allocated on the managed heap per unit (every thread, load generator included).</summary>
    public double AllocatedBytes { get; init; }

    /// <summary>Time this process's threads stood paused for garbage collections, per unit.</summary>
    public double GcPauseMs { get; init; }
}

/// <summary>
/// Opened right before a timed part and read right after it. Processor time is steadier than a rate on a shared
/// machine, and it says where the time goes: in this process, or in the broker and the database.
/// </summary>
public sealed class CpuWindow
{
    readonly TimeSpan _process = Process.GetCurrentProcess().TotalProcessorTime;
    readonly long _machineTicks = MachineBusyTicks();
    readonly Dictionary<int, long> _postgres = ServerTicks("postgres");
    readonly Dictionary<int, long> _rabbitMq = ServerTicks("beam.smp");
    readonly long _allocated = GC.GetTotalAllocatedBytes();
    readonly TimeSpan _paused = GC.GetTotalPauseDuration();

    public CpuUse Per(int units)
    {
        var process = Process.GetCurrentProcess().TotalProcessorTime - _process;
        // /proc/stat counts in USER_HZ, 100 per second on Linux.
        var machine = TimeSpan.FromMilliseconds((MachineBusyTicks() - _machineTicks) * 10.0);
        return new CpuUse(process.TotalMilliseconds / units, machine.TotalMilliseconds / units,
            Since(_postgres, ServerTicks("postgres")) * 10.0 / units, Since(_rabbitMq, ServerTicks("beam.smp")) * 10.0 / units)
        {
            // The processor time says how much the process worked; these say how much of that the garbage collector
            // caused, which a CPU profile spreads over every frame that allocates.
            AllocatedBytes = (GC.GetTotalAllocatedBytes() - _allocated) / (double)units,
            GcPauseMs = (GC.GetTotalPauseDuration() - _paused).TotalMilliseconds / units,
        };
    }

    /// <summary>
    /// What the servers' processes used in the window: a process that started in it counts from zero; one that ended in
    /// it is lost (PostgreSQL's backends live as long as the pools' connections, so few do).
    /// </summary>
    static long Since(Dictionary<int, long> before, Dictionary<int, long> after) =>
        after.Sum(process => process.Value - before.GetValueOrDefault(process.Key));

    /// <summary>utime + stime of every process with this command name, by pid (<c>/proc/[pid]/stat</c>, fields 14 and 15).</summary>
    static Dictionary<int, long> ServerTicks(string command)
    {
        var ticks = new Dictionary<int, long>();
        if (!Directory.Exists("/proc"))
            return ticks;
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(directory), out var pid))
                continue;
            try
            {
                var stat = File.ReadAllText(Path.Combine(directory, "stat"));
                // The command sits in parentheses and may hold spaces: the fields after it are split from its end.
                var open = stat.IndexOf('(');
                var close = stat.LastIndexOf(')');
                if (open < 0 || close < open || stat[(open + 1)..close] != command)
                    continue;
                var fields = stat[(close + 2)..].Split(' ');
                ticks[pid] = long.Parse(fields[11]) + long.Parse(fields[12]);
            }
            catch (IOException)
            {
                // The process ended while being read.
            }
        }

        return ticks;
    }

    /// <summary>user + nice + system + irq + softirq of the whole machine; idle, I/O wait and steal are not ours.</summary>
    static long MachineBusyTicks()
    {
        if (!File.Exists("/proc/stat"))
            return 0;
        var fields = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries)[1..]
            .Select(long.Parse).ToArray();
        return fields[0] + fields[1] + fields[2] + fields[5] + fields[6];
    }
}
