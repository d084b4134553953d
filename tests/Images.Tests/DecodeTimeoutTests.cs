using Shop.Images.Tests.Infrastructure;
using Shop.Images.Worker.Processing;
using Xunit;

namespace Shop.Images.Tests;

[Collection(nameof(HostileCorpus))]
[Trait("Category", "NoTransport")]
public sealed class When_decoding_takes_longer_than_the_timeout : IDisposable
{
    // Budgets wide enough that only the clock stops this decode: 40 frames of 2000×2000 take far longer than 50 ms.
    readonly WorkerComponents _worker = new(o =>
    {
        o.MaxPixels = 1_000_000_000;
        o.MaxDecodeMegabytes = 4096;
        o.DecodeTimeout = TimeSpan.FromMilliseconds(50);
    });

    [Fact]
    public async Task Should_stop_the_decode_itself_not_only_stop_waiting_for_it()
    {
        var slow = HostileImages.GifFlood(2000, 2000, 40);

        var exception = await Assert.ThrowsAsync<InvalidImageException>(() => _worker.Thumbnails(slow));

        Assert.Contains("Gave up", exception.Message);
        Assert.Equal(0, _worker.Loader.WorkInProgress);
    }

    [Fact]
    public async Task Should_stop_reading_metadata_at_the_deadline_too()
    {
        // No directory limit, and 200,000 text chunks (3.4 MB): reading them all takes far longer than 10 ms.
        using var slow = new WorkerComponents(o => o.DecodeTimeout = TimeSpan.FromMilliseconds(10));
        var unlimited = new CameraMetadataReader(int.MaxValue, int.MaxValue);
        var flood = HostileImages.PngTextFlood(200_000);

        var exception = await Assert.ThrowsAsync<InvalidImageException>(() => slow.Loader.ReadMetadataAsync(flood, unlimited, CancellationToken.None));

        Assert.Contains("Gave up reading metadata", exception.Message);
        Assert.Equal(0, slow.Loader.WorkInProgress);
    }

    public void Dispose() => _worker.Dispose();
}
