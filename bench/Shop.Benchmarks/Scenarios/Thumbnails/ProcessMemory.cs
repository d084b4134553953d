using System.Text.RegularExpressions;

namespace Shop.Benchmarks.Scenarios.Thumbnails;

/// <summary>
/// This process's resident memory from Linux's /proc: what the kernel counts, managed heap and native libraries alike
/// (libvips and ImageMagick allocate outside the GC, so GC figures would miss them).
/// </summary>
public static partial class ProcessMemory
{
    /// <summary>Resident set size now (VmRSS), in bytes.</summary>
    public static long Resident() => Read("VmRSS");

    /// <summary>Highest resident set size since start or the last <see cref="ResetPeak"/> (VmHWM), in bytes.</summary>
    public static long Peak() => Read("VmHWM");

    /// <summary>Sets the peak back to the current resident size (writing 5 to clear_refs, Linux 4.0 and later).</summary>
    public static void ResetPeak() => File.WriteAllText("/proc/self/clear_refs", "5");

    static long Read(string field)
    {
        var status = File.ReadAllText("/proc/self/status");
        var match = Field().Matches(status).FirstOrDefault(m => m.Groups[1].Value == field)
            ?? throw new InvalidOperationException($"/proc/self/status has no {field}: memory cannot be measured on this system.");
        return long.Parse(match.Groups[2].Value) * 1024;
    }

    [GeneratedRegex(@"^(\w+):\s+(\d+) kB", RegexOptions.Multiline)]
    private static partial Regex Field();
}
