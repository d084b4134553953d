using MetadataExtractor.Formats.Exif;
using Shop.Images.Tests.Infrastructure;
using Shop.Images.Worker.Processing;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;
using Xunit;

namespace Shop.Images.Tests;

[Trait("Category", "NoTransport")]
public sealed class When_thumbnails_are_rendered : IDisposable
{
    readonly WorkerComponents _worker = new();

    [Fact]
    public async Task Should_render_every_configured_size_in_jpeg_and_webp_keeping_the_aspect_ratio()
    {
        var thumbnails = await _worker.Thumbnails(TestImages.Jpeg(1600, 800));

        Assert.Equal(
            [(64, "jpeg", 64, 32), (64, "webp", 64, 32), (200, "jpeg", 200, 100), (200, "webp", 200, 100), (800, "jpeg", 800, 400), (800, "webp", 800, 400)],
            thumbnails.Select(t => (t.Size, t.Format.Name, t.Width, t.Height)));
        foreach (var thumbnail in thumbnails)
        {
            using var decoded = Image.Load(thumbnail.Bytes, out var format);
            Assert.Equal(thumbnail.Format.ContentType, format.DefaultMimeType);
            Assert.Equal((thumbnail.Width, thumbnail.Height), (decoded.Width, decoded.Height));
        }
    }

    [Fact]
    public async Task Should_not_enlarge_an_image_smaller_than_the_box()
    {
        var thumbnails = await _worker.Thumbnails(TestImages.Png(90, 30));

        Assert.All(thumbnails.Where(t => t.Size >= 200), t => Assert.Equal((90, 30), (t.Width, t.Height)));
        Assert.All(thumbnails.Where(t => t.Size == 64), t => Assert.Equal((64, 21), (t.Width, t.Height)));
    }

    [Fact]
    public async Task Should_turn_the_image_upright_as_its_exif_orientation_says()
    {
        // Orientation 6: the stored image must be turned 90° clockwise, so its left (red) half ends up on top.
        var thumbnails = await _worker.Thumbnails(TestImages.Jpeg(400, 200, TestImages.CameraExif(orientation: 6)));

        var thumbnail = thumbnails.Single(t => t.Size == 200 && t.Format == ThumbnailFormat.Webp);
        Assert.Equal((100, 200), (thumbnail.Width, thumbnail.Height));
        using var image = Image.Load<Rgba32>(thumbnail.Bytes);
        AssertClose(TestImages.Left, image[50, 20]);
        AssertClose(TestImages.Right, image[50, 180]);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    [InlineData(6)]
    [InlineData(7)]
    [InlineData(8)]
    public async Task Should_turn_every_size_upright_including_those_resampled_from_a_larger_thumbnail(ushort orientation)
    {
        // 1000×700: the 200 and 64 thumbnails are made from the 800 and 200 ones, not from the original.
        var original = TestImages.Jpeg(1000, 700, TestImages.CameraExif(orientation));
        using var upright = Image.Load<Rgba32>(original);
        upright.Mutate(x => x.AutoOrient());

        var thumbnails = await _worker.Thumbnails(original);

        foreach (var thumbnail in thumbnails.Where(t => t.Format == ThumbnailFormat.Webp))
        {
            Assert.Equal(ThumbnailRenderer.Fit(upright.Width, upright.Height, thumbnail.Size), (thumbnail.Width, thumbnail.Height));
            using var image = Image.Load<Rgba32>(thumbnail.Bytes);
            foreach (var (x, y) in new[] { (0.2, 0.2), (0.8, 0.8), (0.2, 0.8) })
            {
                AssertClose(upright[(int)(x * upright.Width), (int)(y * upright.Height)],
                    image[(int)(x * image.Width), (int)(y * image.Height)]);
            }
        }
    }

    [Fact]
    public async Task Should_put_transparent_areas_on_white_in_jpeg_and_keep_them_transparent_in_webp()
    {
        using var transparent = new Image<Rgba32>(300, 100, new Rgba32(0, 0, 0, 0));
        using var png = new MemoryStream();
        transparent.SaveAsPng(png);

        var thumbnails = await _worker.Thumbnails(png.ToArray());

        using var jpeg = Image.Load<Rgba32>(thumbnails.First(t => t.Format == ThumbnailFormat.Jpeg).Bytes);
        AssertClose(new Rgba32(255, 255, 255), jpeg[jpeg.Width / 2, jpeg.Height / 2]);
        using var webp = Image.Load<Rgba32>(thumbnails.First(t => t.Format == ThumbnailFormat.Webp).Bytes);
        Assert.Equal(0, webp[webp.Width / 2, webp.Height / 2].A);
    }

    [Fact]
    public async Task Should_strip_gps_and_every_other_metadata_profile_from_every_output()
    {
        var original = TestImages.Jpeg(400, 300, TestImages.CameraExif(orientation: 3));
        Assert.NotEmpty(MetadataExtractor.ImageMetadataReader.ReadMetadata(new MemoryStream(original)).OfType<GpsDirectory>());

        var thumbnails = await _worker.Thumbnails(original);

        Assert.Equal(6, thumbnails.Count);
        foreach (var thumbnail in thumbnails)
        {
            var directories = MetadataExtractor.ImageMetadataReader.ReadMetadata(new MemoryStream(thumbnail.Bytes));
            Assert.Empty(directories.OfType<GpsDirectory>());
            Assert.Empty(directories.OfType<ExifDirectoryBase>());
            var info = Image.Identify(thumbnail.Bytes);
            Assert.Null(info.Metadata.ExifProfile);
            Assert.Null(info.Metadata.XmpProfile);
            Assert.Null(info.Metadata.IccProfile);
        }
    }

    [Theory]
    [InlineData("sample.gif", 2, 2)]
    [InlineData("sample.bmp", 3, 2)]
    [InlineData("sample.tiff", 2, 2)]
    public async Task Should_read_the_checked_in_samples(string sample, int width, int height)
    {
        var thumbnails = await _worker.Thumbnails(TestImages.Sample(sample));

        Assert.Equal(6, thumbnails.Count);
        Assert.All(thumbnails, t => Assert.Equal((width, height), (t.Width, t.Height)));
    }

    static void AssertClose(Rgba32 expected, Rgba32 actual)
    {
        Assert.True(Math.Abs(expected.R - actual.R) < 40 && Math.Abs(expected.G - actual.G) < 40 && Math.Abs(expected.B - actual.B) < 40,
            $"Expected a colour near {expected}, found {actual}.");
    }

    public void Dispose() => _worker.Dispose();
}
