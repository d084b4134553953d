using System.Diagnostics;

namespace Shop.Benchmarks;

/// <summary>Processor time used per unit of work while a scenario's timed part runs.</summary>
/// <param name="ProcessMs">This process: the code under test and its load generator.</param>
/// <param name="MachineMs">Every process (broker and database included); meaningful on an otherwise quiet machine only.</param>
public sealed record CpuUse(double ProcessMs, double MachineMs);

/// <summary>
/// Opened right before a timed part and read right after it. Processor time is steadier than a rate on a shared
/// machine, and it says where the time goes: in this process, or in the broker and the database.
/// </summary>
public sealed class CpuWindow
{
    readonly TimeSpan _process = Process.GetCurrentProcess().TotalProcessorTime;
    readonly long _machineTicks = MachineBusyTicks();

    public CpuUse Per(int units)
    {
        var process = Process.GetCurrentProcess().TotalProcessorTime - _process;
        // /proc/stat counts in USER_HZ, 100 per second on Linux.
        var machine = TimeSpan.FromMilliseconds((MachineBusyTicks() - _machineTicks) * 10.0);
        return new CpuUse(process.TotalMilliseconds / units, machine.TotalMilliseconds / units);
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
