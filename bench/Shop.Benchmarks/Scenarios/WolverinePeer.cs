using System.Diagnostics;
using System.Text.Json;

namespace Shop.Benchmarks.Scenarios;

/// <summary>
/// Scenarios 9 and 10: Wolverine doing the work of scenarios 2 and 3, in bench/Shop.Benchmarks.Wolverine started as a
/// child process with this run's parameters (its packages stay out of this process; each side's processor time is its
/// own). The child prints its figures as JSON on its last line of standard output; its progress goes to our console.
/// </summary>
public static class WolverinePeer
{
    sealed record PeerResult(string Scenario, double MessagesPerSecond, double ProcessMs, double MachineMs, double? CommitsPerMessage,
        double PostgresMs = 0, double RabbitMqMs = 0, double AllocatedBytes = 0, double GcPauseMs = 0);

    /// <param name="connectionString">Null for the plain side.</param>
    /// <param name="listener">The plain side's listener: inline (acknowledged after the handler, as ours) or buffered.</param>
    public static async Task<BenchResult> Run(string rabbitUrl, string? connectionString, BenchSettings settings, string listener = "inline")
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true };
        start.ArgumentList.Add(ChildPath());
        start.ArgumentList.Add(connectionString is null ? "plain" : "durable");
        var arguments = new Dictionary<string, string?>
        {
            ["rabbit"] = rabbitUrl,
            ["postgres"] = connectionString,
            ["messages"] = $"{settings.Messages}",
            ["warmup"] = $"{settings.Warmup}",
            ["warmup-seconds"] = $"{settings.WarmupTime.TotalSeconds:0}",
            ["payload-bytes"] = $"{settings.PayloadBytes}",
            ["concurrency"] = $"{settings.Concurrency}",
            ["listener"] = listener,
            ["count-commits-after-flush"] = settings.Quick ? "false" : "true",
        };
        foreach (var (name, value) in arguments.Where(a => a.Value is not null))
        {
            start.ArgumentList.Add($"--{name}");
            start.ArgumentList.Add(value!);
        }

        using var child = Process.Start(start) ?? throw new InvalidOperationException("Could not start the Wolverine benchmark.");
        var output = child.StandardOutput.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(30));
        try
        {
            await child.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            child.Kill(entireProcessTree: true);
            throw new TimeoutException("The Wolverine run did not finish in 30 minutes.");
        }

        if (child.ExitCode != 0)
            throw new InvalidOperationException($"The Wolverine run failed (exit {child.ExitCode}); its errors are above.\n{await output}");
        var last = (await output).Split('\n', StringSplitOptions.RemoveEmptyEntries).Last(line => line.StartsWith('{'));
        var result = JsonSerializer.Deserialize<PeerResult>(last) ?? throw new InvalidOperationException("The Wolverine run printed no result.");
        return new BenchResult(result.Scenario, "throughput", result.MessagesPerSecond, "msg/s")
        {
            Cpu = new CpuUse(result.ProcessMs, result.MachineMs, result.PostgresMs, result.RabbitMqMs)
                { AllocatedBytes = result.AllocatedBytes, GcPauseMs = result.GcPauseMs },
            CommitsPerUnit = result.CommitsPerMessage,
        };
    }

    /// <summary>Our figure against Wolverine's, for the table, the JSON and the chart.</summary>
    public static BenchResult Versus(BenchResult ours, BenchResult peer, string? target = null) =>
        new(ours.Scenario, "vs Wolverine (Shop / Wolverine)", ours.Value, ours.Unit, peer.Scenario, ours.Value / peer.Value, target);

    /// <summary>
    /// bench/Shop.Benchmarks/bin/(configuration)/(framework)/ → bench/Shop.Benchmarks.Wolverine/bin/(the same)/: the
    /// project reference in Shop.Benchmarks.csproj builds it with this program, without referencing its assembly.
    /// </summary>
    static string ChildPath()
    {
        var framework = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var configuration = framework.Parent!;
        var bench = configuration.Parent!.Parent!.Parent!;
        var path = Path.Combine(bench.FullName, "Shop.Benchmarks.Wolverine", "bin", configuration.Name, framework.Name, "Shop.Benchmarks.Wolverine.dll");
        return File.Exists(path)
            ? path
            : throw new FileNotFoundException($"The Wolverine benchmark is not built: dotnet build -c {configuration.Name} bench/Shop.Benchmarks.Wolverine", path);
    }
}
