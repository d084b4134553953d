using Shop.Contracts.Images;
using Shop.Images.Tests.Infrastructure;
using Shop.Images.Worker.Processing;
using Shop.Messaging;
using Xunit;

namespace Shop.Images.Tests;

[Trait("Category", "NoTransport")]
public sealed class When_the_worker_reads_a_hostile_image : IDisposable
{
    readonly WorkerComponents _worker = new();

    public static TheoryData<string, byte[], string> Hostile => new()
    {
        { "jpeg cut off before its image data", TestImages.JpegCutOff(keep: 0), "truncated" },
        { "jpeg with 0 lines and no DNL marker", TestImages.JpegWithDnl(withDnl: false), "DNL" },
        { "header declaring 100000×100000", TestImages.PngDeclaring(100_000, 100_000), "100000×100000 pixels, over the budget" },
        { "noise behind a png signature", TestImages.NoiseBehind(TestImages.PngSignature), "" },
        { "noise behind a jpeg signature", TestImages.NoiseBehind(TestImages.JpegSignature), "" },
        { "png decompression bomb", TestImages.PngBomb(), "20000×20000 pixels, over the budget" },
    };

    [Theory]
    [MemberData(nameof(Hostile))]
    public async Task Should_refuse_it_with_a_readable_non_transient_reason(string what, byte[] bytes, string reason)
    {
        var exception = await Assert.ThrowsAsync<InvalidImageException>(async () =>
        {
            var stored = await _worker.StoreAndRead(bytes);
            await _worker.Thumbnails(stored);
        });

        Assert.False(string.IsNullOrWhiteSpace(exception.Message), what);
        Assert.Contains(reason, exception.Message);
        Assert.False(TransientFailures.IsTransient(exception), $"{what}: '{exception.Message}' would be retried.");
    }

    [Fact]
    public async Task Should_refuse_an_empty_original()
    {
        var exception = await Assert.ThrowsAsync<InvalidImageException>(() => _worker.StoreAndRead([]));
        Assert.Contains("empty", exception.Message);
    }

    [Fact]
    public async Task Should_refuse_an_image_over_a_smaller_pixel_budget_before_decoding_it()
    {
        using var strict = new WorkerComponents(o => o.MaxPixels = 10_000);

        var exception = await Assert.ThrowsAsync<InvalidImageException>(() => strict.Thumbnails(TestImages.Png(101, 100)));
        Assert.Contains("101×100 pixels, over the budget of 10000", exception.Message);
        Assert.Equal(6, (await strict.Thumbnails(TestImages.Png(100, 100))).Count);
    }

    [Fact]
    public async Task Should_still_render_a_good_image_afterwards()
    {
        await Assert.ThrowsAsync<InvalidImageException>(() => _worker.Thumbnails(TestImages.PngBomb()));

        Assert.Equal(6, (await _worker.Thumbnails(TestImages.Jpeg())).Count);
    }

    public void Dispose() => _worker.Dispose();
}

[Trait("Category", "NoTransport")]
public sealed class When_the_stored_original_is_not_what_was_uploaded : IDisposable
{
    readonly WorkerComponents _worker = new();

    [Fact]
    public async Task Should_refuse_bytes_of_another_size_or_format_than_the_accepted_upload()
    {
        var png = TestImages.Png(40, 20);
        var key = await _worker.Blobs.PutAsync($"images/{Guid.NewGuid():N}/original", new MemoryStream(png), "image/png");
        ImageUploaded Accepted(string format, long size) => new(Guid.NewGuid(), "SKU-1", key, $"image/{format}", format, size, DateTime.UtcNow);

        var resized = await Assert.ThrowsAsync<InvalidImageException>(() => _worker.Loader.ReadUploadedAsync(Accepted("png", png.Length + 1), default));
        var swapped = await Assert.ThrowsAsync<InvalidImageException>(() => _worker.Loader.ReadUploadedAsync(Accepted("jpeg", png.Length), default));

        Assert.Contains($"has {png.Length} bytes", resized.Message);
        Assert.Contains("is png; the upload that was accepted was jpeg", swapped.Message);
        Assert.Equal(png, await _worker.Loader.ReadUploadedAsync(Accepted("png", png.Length), default));
    }

    public void Dispose() => _worker.Dispose();
}
