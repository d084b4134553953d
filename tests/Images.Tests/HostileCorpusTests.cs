using System.Diagnostics;
using Shop.Images.Tests.Infrastructure;
using Shop.Images.Worker.Processing;
using Shop.Messaging;
using Xunit;
using Xunit.Abstractions;

namespace Shop.Images.Tests;

/// <summary>
/// The crafted corpus, each file through both things the worker does with an upload (thumbnails, metadata), with the
/// default limits. Alone in its collection: the memory figures must be this test's own.
/// </summary>
[Collection(nameof(HostileCorpus))]
[Trait("Category", "NoTransport")]
public sealed class When_the_worker_meets_the_hostile_corpus(ITestOutputHelper output) : IDisposable
{
    // Generous bounds that hold on a loaded 2-core machine; the figures each run measures are printed.
    static readonly TimeSpan WallTimeBound = TimeSpan.FromSeconds(20);
    const long ManagedBytesBound = 64L * 1024 * 1024;
    readonly WorkerComponents _worker = new();
    readonly long _decodeBudgetBytes = new Shop.Images.Worker.ImageProcessingOptions().MaxDecodeMegabytes * 1024L * 1024;

    public static TheoryData<string, string> Corpus
    {
        get
        {
            var corpus = new TheoryData<string, string>();
            foreach (var name in HostileCorpus.Files.Keys)
                corpus.Add(name, HostileCorpus.Reasons[name]);
            return corpus;
        }
    }

    [Theory]
    [MemberData(nameof(Corpus))]
    public async Task Should_refuse_it_with_a_reason_within_time_and_then_process_a_good_image(string name, string reason)
    {
        var bytes = HostileCorpus.Files[name]();
        var managedBefore = GC.GetTotalAllocatedBytes(precise: true);
        var clock = Stopwatch.StartNew();

        var thumbnails = await Record.ExceptionAsync(() => _worker.Thumbnails(bytes));
        var metadata = await Record.ExceptionAsync(() => _worker.Metadata(bytes));

        clock.Stop();
        var managed = GC.GetTotalAllocatedBytes(precise: true) - managedBefore;
        var imageSharpPeak = _worker.Loader.PeakDecodeBytes;
        output.WriteLine($"{name}: {bytes.Length} bytes, refused in {clock.Elapsed.TotalMilliseconds:0} ms, " +
            $"{managed / 1024} KB managed allocations, ImageSharp peak {imageSharpPeak / 1024} KB; " +
            $"thumbnails: {thumbnails?.Message}; metadata: {metadata?.Message}");
        foreach (var (what, exception) in new[] { ("thumbnails", thumbnails), ("metadata", metadata) })
        {
            var refused = Assert.IsType<InvalidImageException>(exception, exactMatch: true);
            Assert.True(refused.Message.Contains(reason, StringComparison.OrdinalIgnoreCase),
                $"{name} ({what}): '{refused.Message}' does not say '{reason}'.");
            Assert.False(TransientFailures.IsTransient(refused), $"{name} ({what}) would be retried.");
        }

        Assert.True(clock.Elapsed < WallTimeBound, $"{name} took {clock.Elapsed.TotalSeconds:0.0} s to refuse.");
        // Managed allocations over the whole attempt (an upper bound on what it held at once, whatever the GC did).
        Assert.True(managed < ManagedBytesBound, $"{name} allocated {managed / 1024 / 1024} MB of managed memory.");
        Assert.InRange(imageSharpPeak, 0, _decodeBudgetBytes);
        Assert.Equal(6, (await _worker.Thumbnails(TestImages.Jpeg())).Count);
        Assert.Equal(TestImages.Make, (await _worker.Metadata(TestImages.Jpeg(64, 64, TestImages.CameraExif()))).CameraMake);
    }

    public void Dispose() => _worker.Dispose();
}

[CollectionDefinition(nameof(HostileCorpus), DisableParallelization = true)]
public sealed class HostileCorpus
{
    public static readonly Dictionary<string, Func<byte[]>> Files = new()
    {
        ["gif 3000×3000, 30 frames"] = () => HostileImages.GifFlood(3000, 3000, 30),
        ["gif 7000×7000, 100 frames"] = () => HostileImages.GifFlood(7000, 7000, 100),
        ["tiff 3000×3000, 30 pages"] = () => HostileImages.TiffFlood(3000, 3000, 30),
        ["webp 3000×3000, 30 frames"] = () => HostileImages.WebpFlood(3000, 3000, 30),
        ["apng 3000×3000, 30 frames"] = () => HostileImages.ApngFlood(3000, 3000, 30),
        ["png with 20000 text chunks"] = () => HostileImages.PngTextFlood(20_000),
        ["gif frame larger than its screen"] = HostileImages.GifFrameLargerThanScreen,
        ["truncated png"] = HostileImages.TruncatedPng,
        ["truncated gif"] = HostileImages.TruncatedGif,
        ["truncated webp"] = HostileImages.TruncatedWebp,
        ["tiff ifd outside the file"] = HostileImages.TiffIfdOutsideTheFile,
        ["tiff whose ifd chain loops"] = HostileImages.TiffIfdLoop,
    };

    public static readonly Dictionary<string, string> Reasons = new()
    {
        ["gif 3000×3000, 30 frames"] = "30 frames",
        ["gif 7000×7000, 100 frames"] = "100 frames",
        ["tiff 3000×3000, 30 pages"] = "30 frames",
        ["webp 3000×3000, 30 frames"] = "30 frames",
        ["apng 3000×3000, 30 frames"] = "30 frames",
        ["png with 20000 text chunks"] = "metadata",
        ["gif frame larger than its screen"] = "20000×20000",
        ["truncated png"] = "truncated",
        ["truncated gif"] = "truncated",
        ["truncated webp"] = "truncated",
        ["tiff ifd outside the file"] = "truncated",
        ["tiff whose ifd chain loops"] = "loops",
    };
}
