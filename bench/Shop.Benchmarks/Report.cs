using System.Text.Json;
using ScottPlot;

namespace Shop.Benchmarks;

public static class Report
{
    public static void Print(IReadOnlyList<BenchResult> results)
    {
        Console.WriteLine();
        Console.WriteLine($"{"scenario",-42} {"metric",-30} {"value",12} {"unit",-6} {"ratio",8}  {"target",-8} baseline");
        Console.WriteLine(new string('-', 136));
        foreach (var r in results)
        {
            Console.WriteLine($"{r.Scenario,-42} {r.Metric,-30} {r.Value,12:N1} {r.Unit,-6} {(r.Ratio is { } ratio ? ratio.ToString("0.00") : ""),8}  " +
                              $"{r.Target ?? "",-8} {r.Baseline ?? ""}");
        }
    }

    public static async Task Write(IReadOnlyList<BenchResult> results, BenchSettings settings, string directory)
    {
        Directory.CreateDirectory(directory);
        var document = new
        {
            machine = new { cores = Environment.ProcessorCount, os = Environment.OSVersion.ToString(), runtime = Environment.Version.ToString() },
            settings,
            when = DateTime.UtcNow,
            results
        };
        var json = Path.Combine(directory, "results.json");
        await File.WriteAllTextAsync(json, JsonSerializer.Serialize(document, new JsonSerializerOptions { WriteIndented = true }));

        var throughput = results.Where(r => r.Metric == "throughput").ToList();
        var plot = new Plot();
        var bars = plot.Add.Bars(throughput.Select(r => r.Value).ToArray());
        bars.Color = Colors.SteelBlue;
        // The peer's bars in another colour, ours labelled with our figure over the peer's.
        for (var i = 0; i < throughput.Count; i++)
        {
            if (throughput[i].Scenario.Contains("Wolverine", StringComparison.Ordinal))
                bars.Bars[i].FillColor = Colors.DarkOrange;
        }

        plot.Axes.Bottom.SetTicks(Enumerable.Range(0, throughput.Count).Select(i => (double)i).ToArray(),
            throughput.Select(r => r.Scenario.Replace(", ", "\n").Replace(" + ", "\n+ ") + VersusPeer(results, r)).ToArray());
        plot.Axes.Left.Label.Text = "messages (or transactions) per second";
        plot.Title($"Shop throughput, {settings.Messages} messages of {settings.PayloadBytes} B, {Environment.ProcessorCount} cores");
        plot.Axes.Margins(bottom: 0);
        var png = Path.Combine(directory, "throughput.png");
        plot.SavePng(png, 1100, 600);

        Console.WriteLine();
        Console.WriteLine($"wrote {json} and {png}");
        if (results.Any(r => r.Unit == "img/s"))
            Console.WriteLine($"wrote {WriteThumbnailChart(results, settings, directory)}");
    }

    static string VersusPeer(IReadOnlyList<BenchResult> results, BenchResult throughput) =>
        results.FirstOrDefault(r => r.Scenario == throughput.Scenario && r.Metric.StartsWith("vs Wolverine", StringComparison.Ordinal)) is { Ratio: { } ratio }
            ? $"\n{ratio:0.00}× Wolverine"
            : "";

    /// <summary>Scenario 7 on its own chart: images per second are not on the scale of messages per second.</summary>
    static string WriteThumbnailChart(IReadOnlyList<BenchResult> results, BenchSettings settings, string directory)
    {
        var rates = results.Where(r => r.Metric == "images/s (median)").ToList();
        var plot = new Plot();
        var bars = plot.Add.Bars(rates.Select(r => r.Value).ToArray());
        bars.Color = Colors.DarkOrange;
        var labels = rates.Select(rate =>
        {
            var peak = results.Single(r => r.Scenario == rate.Scenario && r.Metric == "peak memory above start").Value;
            var cpu = results.Single(r => r.Scenario == rate.Scenario && r.Metric == "CPU ms/image (median)").Value;
            return $"{rate.Scenario.Split(", ", 2)[1]}\n{rate.Value:0.0} img/s, {cpu:N0} CPU ms/img\npeak +{peak:N0} MiB";
        });
        plot.Axes.Bottom.SetTicks(Enumerable.Range(0, rates.Count).Select(i => (double)i).ToArray(), labels.ToArray());
        plot.Axes.Left.Label.Text = "photos per second (every size as JPEG and WebP)";
        var thumbnails = settings.Thumbnails;
        plot.Title($"Thumbnails of {thumbnails.Width}×{thumbnails.Height} JPEGs, {thumbnails.Concurrency} at a time, {Environment.ProcessorCount} cores");
        plot.Axes.Margins(bottom: 0);
        plot.Layout.Fixed(new PixelPadding(80, 20, 90, 40));
        var png = Path.Combine(directory, "thumbnails.png");
        plot.SavePng(png, 1000, 600);
        return png;
    }
}
