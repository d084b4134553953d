using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Shop.Images.Worker.Processing;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Metadata.Profiles.Exif;

namespace Shop.Benchmarks.Scenarios.Thumbnails;

/// <summary>
/// The benchmark program started again as a child to run one variant alone, so its peak memory is its own: the
/// photos are read, the variant's libraries loaded and the GC settled, then the peak is reset to that baseline; the
/// first photo is rendered untimed until the warm-up time is over (at least once: the managed variants run JIT-tiered
/// code at first, the worker does not for long), then every photo is timed at the given concurrency. Each output is checked (count, upright
/// dimensions, no EXIF or XMP left) so no variant wins by doing less. Prints one <see cref="ThumbnailRun"/> as JSON.
/// </summary>
public static class ThumbnailChild
{
    public const string Command = "--thumbnail-child";

    public static async Task<int> Run(string[] args)
    {
        var (name, folder, concurrency, warmUp) = (args[0], args[1], int.Parse(args[2]), TimeSpan.FromSeconds(double.Parse(args[3])));
        var workload = ThumbnailWorkload.OfThePipeline();
        var photos = Directory.GetFiles(folder, "*.jpg").Order().Select(path => new Photo(File.ReadAllBytes(path))).ToArray();
        using var variant = ThumbnailVariant.Create(name, workload);
        variant.Prepare();
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        ProcessMemory.ResetPeak();
        var baseline = ProcessMemory.Resident();

        var warmingUp = Stopwatch.StartNew();
        do
        {
            Check(photos[0], await variant.Render(photos[0].Bytes, CancellationToken.None), workload, metadata: true);
        }
        while (warmingUp.Elapsed < warmUp);

        long outputBytes = 0;
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var watch = Stopwatch.StartNew();
        await Parallel.ForEachAsync(photos, new ParallelOptions { MaxDegreeOfParallelism = concurrency }, async (photo, cancellationToken) =>
        {
            var outputs = await variant.Render(photo.Bytes, cancellationToken);
            Check(photo, outputs, workload, metadata: false);
            Interlocked.Add(ref outputBytes, outputs.Sum(o => (long)o.Bytes.Length));
        });
        var seconds = watch.Elapsed.TotalSeconds;
        var cpuSeconds = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds;

        Console.WriteLine(JsonSerializer.Serialize(
            new ThumbnailRun(name, photos.Length, seconds, cpuSeconds, baseline, ProcessMemory.Peak(), outputBytes)));
        return 0;
    }

    static void Check(Photo photo, IReadOnlyList<ThumbnailOutput> outputs, ThumbnailWorkload workload, bool metadata)
    {
        var expected = workload.Sizes.SelectMany(size => new[] { (size, "jpeg"), (size, "webp") }).Order().ToList();
        var actual = outputs.Select(o => (o.Size, o.Format)).Order().ToList();
        if (!expected.SequenceEqual(actual))
            throw new InvalidOperationException($"Expected thumbnails {string.Join(", ", expected)}, got {string.Join(", ", actual)}.");

        foreach (var output in outputs)
        {
            // Resamplers round the short side differently; one pixel either way is the same thumbnail.
            var (width, height) = ThumbnailRenderer.Fit(photo.UprightWidth, photo.UprightHeight, output.Size);
            if (Math.Abs(output.Width - width) > 1 || Math.Abs(output.Height - height) > 1)
                throw new InvalidOperationException($"The {output.Size} {output.Format} thumbnail is {output.Width}×{output.Height}, expected {width}×{height} (upright).");
            if (metadata && MetadataMarkers(output.Format).Any(marker => Contains(output.Bytes, marker)))
                throw new InvalidOperationException($"The {output.Size} {output.Format} thumbnail still carries EXIF or XMP metadata.");
        }
    }

    // JPEG's APP1 segments start with these; WebP keeps metadata in EXIF and XMP chunks.
    static IEnumerable<string> MetadataMarkers(string format) =>
        format == "webp" ? ["EXIF", "XMP ", "http://ns.adobe.com/xap/"] : ["Exif\0\0", "http://ns.adobe.com/xap/"];

    static bool Contains(byte[] bytes, string marker) => bytes.AsSpan().IndexOf(Encoding.ASCII.GetBytes(marker)) >= 0;

    sealed class Photo
    {
        public Photo(byte[] bytes)
        {
            Bytes = bytes;
            var info = Image.Identify(bytes);
            var orientation = info.Metadata.ExifProfile?.GetValue(ExifTag.Orientation)?.Value ?? 1;
            var turned = orientation is >= 5 and <= 8;
            (UprightWidth, UprightHeight) = turned ? (info.Height, info.Width) : (info.Width, info.Height);
        }

        public byte[] Bytes { get; }
        public int UprightWidth { get; }
        public int UprightHeight { get; }
    }
}
