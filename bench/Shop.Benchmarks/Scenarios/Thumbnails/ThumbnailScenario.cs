using System.Diagnostics;
using System.Text.Json;

namespace Shop.Benchmarks.Scenarios.Thumbnails;

/// <summary>
/// Scenario 7: Images.Worker's thumbnail step against ImageSharp with default settings, libvips and ImageMagick on the
/// same camera-sized JPEGs — images per second and peak memory. Every run of a variant is a child process of its own
/// (see <see cref="ThumbnailChild"/>); rounds rotate the order of the variants so the machine's noise hits all alike.
/// A variant's figures are the median rate and the highest peak over the rounds.
/// </summary>
public static class ThumbnailScenario
{
    const string Scenario = "7 thumbnails";
    const double MiB = 1024 * 1024;

    public static async Task<IReadOnlyList<BenchResult>> Run(ThumbnailSettings settings)
    {
        var folder = CameraPhotos.Prepare(settings.Photos, settings.Width, settings.Height);
        var runs = ThumbnailVariant.All.ToDictionary(v => v, _ => new List<ThumbnailRun>());
        for (var round = 0; round < settings.Rounds; round++)
        {
            var order = ThumbnailVariant.All.Skip(round % ThumbnailVariant.All.Count).Concat(ThumbnailVariant.All.Take(round % ThumbnailVariant.All.Count));
            foreach (var variant in order)
            {
                Console.Error.Write($"  thumbnails round {round + 1}/{settings.Rounds}: {ThumbnailVariant.Label(variant),-26}");
                var run = await RunChild(variant, folder, settings);
                runs[variant].Add(run);
                Console.Error.WriteLine($"{run.ImagesPerSecond,8:N2} img/s {run.CpuMillisecondsPerImage,7:N0} CPU ms/img   peak " +
                                        $"{run.PeakBytes / MiB,5:N0} MiB ({run.PeakAboveBaselineBytes / MiB:N0} above its start)   " +
                                        $"{run.OutputBytes / 1024.0 / run.Photos,5:N0} KiB out/img");
            }
        }

        var rate = runs.ToDictionary(r => r.Key, r => Median(r.Value.Select(run => run.ImagesPerSecond)));
        var cpu = runs.ToDictionary(r => r.Key, r => Median(r.Value.Select(run => run.CpuMillisecondsPerImage)));
        var libvips = rate[ThumbnailVariant.Libvips];
        var libvipsLabel = $"{Scenario}, {ThumbnailVariant.Label(ThumbnailVariant.Libvips)}";
        var results = new List<BenchResult>();
        foreach (var (variant, variantRuns) in runs)
        {
            var label = $"{Scenario}, {ThumbnailVariant.Label(variant)}";
            var compared = variant != ThumbnailVariant.Libvips;
            results.Add(new BenchResult(label, "images/s (median)", rate[variant], "img/s", compared ? libvipsLabel : null,
                compared ? rate[variant] / libvips : null, variant == ThumbnailVariant.Ours ? ">= 0.67" : null));
            results.Add(new BenchResult(label, "images/s (slowest round)", variantRuns.Min(r => r.ImagesPerSecond), "img/s"));
            results.Add(new BenchResult(label, "images/s (fastest round)", variantRuns.Max(r => r.ImagesPerSecond), "img/s"));
            // A ratio of libvips's processor time to this one's, so above 1 is cheaper than libvips, as for images/s.
            results.Add(new BenchResult(label, "CPU ms/image (median)", cpu[variant], "ms", compared ? libvipsLabel : null,
                compared ? cpu[ThumbnailVariant.Libvips] / cpu[variant] : null));
            results.Add(new BenchResult(label, "output KiB per image", variantRuns[0].OutputBytes / 1024.0 / variantRuns[0].Photos, "KiB"));
            results.Add(new BenchResult(label, "peak memory above start", variantRuns.Max(r => r.PeakAboveBaselineBytes) / MiB, "MiB"));
            results.Add(new BenchResult(label, "peak resident memory", variantRuns.Max(r => r.PeakBytes) / MiB, "MiB"));
        }

        var ratio = rate[ThumbnailVariant.Ours] / libvips;
        Console.Error.WriteLine($"  thumbnails: ours/libvips = {ratio:0.00} images/s (libvips is {1 / ratio:0.00}x ours; target: within 1.5x, " +
                                $"ratio >= 0.67) — {(ratio >= 1 / 1.5 ? "met" : "missed")}; by processor time per image " +
                                $"{cpu[ThumbnailVariant.Libvips] / cpu[ThumbnailVariant.Ours]:0.00}");
        return results;
    }

    static async Task<ThumbnailRun> RunChild(string variant, string folder, ThumbnailSettings settings)
    {
        var start = new ProcessStartInfo(Environment.ProcessPath!) { RedirectStandardOutput = true, RedirectStandardError = true };
        // Under `dotnet Shop.Benchmarks.dll` the process is the dotnet host, which needs the program's path first.
        if (Path.GetFileNameWithoutExtension(Environment.ProcessPath) == "dotnet")
            start.ArgumentList.Add(typeof(ThumbnailScenario).Assembly.Location);
        foreach (var argument in new[] { ThumbnailChild.Command, variant, folder, $"{settings.Concurrency}", $"{settings.WarmUpSeconds}" })
            start.ArgumentList.Add(argument);

        using var child = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {start.FileName}.");
        var output = child.StandardOutput.ReadToEndAsync();
        var errors = child.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(15));
        try
        {
            await child.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            child.Kill(entireProcessTree: true);
            throw new TimeoutException($"The {variant} thumbnail run did not finish in 15 minutes.");
        }

        if (child.ExitCode != 0)
            throw new InvalidOperationException($"The {variant} thumbnail run failed (exit {child.ExitCode}):\n{await errors}{await output}");
        var last = (await output).Split('\n', StringSplitOptions.RemoveEmptyEntries).Last();
        return JsonSerializer.Deserialize<ThumbnailRun>(last) ?? throw new InvalidOperationException($"The {variant} run printed no result.");
    }

    static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }
}
