using Shop.Images.Tests.Infrastructure;
using Shop.Images.Worker.Processing;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using Xunit;

namespace Shop.Images.Tests;

/// <summary>Real camera files that are not quite by the book: cut off, or with their height after the scan (DNL).</summary>
[Trait("Category", "NoTransport")]
public sealed class When_the_worker_reads_an_imperfect_camera_file : IDisposable
{
    readonly WorkerComponents _worker = new();

    [Fact]
    public async Task Should_render_thumbnails_of_what_is_there_of_a_truncated_jpeg_and_say_it_is_partial()
    {
        var cut = TestImages.JpegCutOff(800, 600, keep: 0.5);

        var header = await _worker.Loader.IdentifyAsync(cut, CancellationToken.None);
        var thumbnails = await _worker.Thumbnails(cut);

        Assert.Contains("truncated", header.Damage);
        Assert.Equal((800, 600), (header.Width, header.Height));
        Assert.Equal(6, thumbnails.Count);
        using var largest = Image.Load<Rgb24>(thumbnails.Single(t => t.Size == 800 && t.Format.Name == "jpeg").Bytes);
        // The top rows were in the file: the red left half is there, as a browser would show it.
        var topLeft = largest[largest.Width / 8, 2];
        Assert.True(topLeft.R > 150 && topLeft.B < 100, $"top-left pixel {topLeft} is not the picture's red");
    }

    [Fact]
    public async Task Should_read_the_metadata_of_a_truncated_jpeg()
    {
        var metadata = await _worker.Metadata(TestImages.JpegCutOff(keep: 0.3));

        Assert.Equal(TestImages.Make, metadata.CameraMake);
        Assert.Equal(TestImages.Iso, metadata.Iso);
    }

    [Fact]
    public async Task Should_read_a_jpeg_whose_height_is_given_by_a_dnl_marker()
    {
        var dnl = TestImages.JpegWithDnl(320, 240);

        var header = await _worker.Loader.IdentifyAsync(dnl, CancellationToken.None);
        var thumbnails = await _worker.Thumbnails(dnl);
        var metadata = await _worker.Metadata(dnl);

        Assert.Equal((320, 240, null), (header.Width, header.Height, header.Damage));
        Assert.Contains(thumbnails, t => (t.Size, t.Width, t.Height) == (200, 200, 150));
        Assert.Equal(TestImages.Make, metadata.CameraMake);
    }

    [Fact]
    public void Should_leave_every_other_jpeg_as_it_is()
    {
        var jpeg = TestImages.Jpeg(100, 50);

        Assert.Same(jpeg, JpegLineCount.Resolve(jpeg));
    }

    public void Dispose() => _worker.Dispose();
}
