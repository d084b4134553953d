using Shop.Images.Tests.Infrastructure;
using Shop.Images.Worker.Processing;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Memory;
using Xunit;

namespace Shop.Images.Tests;

[Collection(nameof(HostileCorpus))]
[Trait("Category", "NoTransport")]
public sealed class When_an_image_needs_more_memory_than_its_budget
{
    // Five frames of 3000×3000: 45 million pixels, inside the pixel budget; 36 MB of RGBA each, 180 MB in all.
    static readonly byte[] FiveLargeFrames = HostileImages.GifFlood(3000, 3000, 5);

    [Fact]
    public async Task Should_refuse_it_when_all_its_buffers_together_pass_the_budget_though_each_alone_fits()
    {
        using var worker = new WorkerComponents(o => o.MaxDecodeMegabytes = 100);

        var exception = await Assert.ThrowsAsync<InvalidImageException>(() => worker.Thumbnails(FiveLargeFrames));

        Assert.Contains("more than the 100 MB", exception.Message);
        Assert.InRange(worker.Loader.PeakDecodeBytes, 36L * 1024 * 1024, 100L * 1024 * 1024);
        Assert.Equal(6, (await worker.Thumbnails(TestImages.Jpeg())).Count);
    }

    [Fact]
    public void Should_be_needed_because_imagesharps_own_limit_is_per_buffer()
    {
        // What the loader relied on before: ImageSharp 2's allocation limit, which lets this 180 MB decode through.
        var configuration = Configuration.Default.Clone();
        configuration.MemoryAllocator = MemoryAllocator.Create(new MemoryAllocatorOptions { AllocationLimitMegabytes = 100 });

        using var image = Image.Load(configuration, FiveLargeFrames);

        Assert.Equal(5, image.Frames.Count);
    }
}
