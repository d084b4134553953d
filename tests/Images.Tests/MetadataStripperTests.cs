using MetadataExtractor;
using MetadataExtractor.Formats.Exif;
using Shop.Images.Tests.Infrastructure;
using Shop.Images.Worker.Processing;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using Xunit;

namespace Shop.Images.Tests;

[Trait("Category", "NoTransport")]
public sealed class When_the_public_original_is_made
{
    public static TheoryData<string> Formats => new() { "jpeg", "png", "webp" };

    [Theory]
    [MemberData(nameof(Formats))]
    public void Should_remove_gps_and_exif_and_keep_the_pixels(string format)
    {
        var original = format switch
        {
            "jpeg" => TestImages.Jpeg(120, 80, TestImages.CameraExif()),
            "png" => TestImages.Png(120, 80, TestImages.CameraExif()),
            _ => WebpWithExif(),
        };
        Assert.NotEmpty(Directories(original).OfType<GpsDirectory>());

        var stripped = MetadataStripper.Strip(original, format)!;

        Assert.Empty(Directories(stripped).OfType<GpsDirectory>());
        Assert.Empty(Directories(stripped).OfType<ExifIfd0Directory>());
        using var before = Image.Load<Rgba32>(original);
        using var after = Image.Load<Rgba32>(stripped);
        Assert.Equal((before.Width, before.Height), (after.Width, after.Height));
        Assert.Equal(before[10, 10], after[10, 10]);
        Assert.Equal(before[110, 70], after[110, 70]);
    }

    [Fact]
    public void Should_keep_only_the_orientation_of_a_jpegs_exif()
    {
        var original = TestImages.Jpeg(120, 80, TestImages.CameraExif(orientation: 6));

        var stripped = MetadataStripper.Strip(original, "jpeg")!;

        var directories = Directories(stripped);
        var ifd0 = Assert.Single(directories.OfType<ExifIfd0Directory>());
        Assert.Equal(6, ifd0.GetInt32(ExifDirectoryBase.TagOrientation));
        Assert.Single(ifd0.Tags);
        Assert.Empty(directories.OfType<GpsDirectory>());
        Assert.Empty(directories.OfType<ExifSubIfdDirectory>());
        using var decoded = Image.Load(stripped);
        Assert.Equal((ushort)6, decoded.Metadata.ExifProfile!.GetValue(SixLabors.ImageSharp.Metadata.Profiles.Exif.ExifTag.Orientation)!.Value);
    }

    [Fact]
    public void Should_remove_comments_from_a_gif_and_keep_its_frames()
    {
        using var image = new Image<Rgba32>(20, 20, new Rgba32(255, 0, 0));
        image.Frames.AddFrame(image.Frames.RootFrame);
        image.Metadata.GetGifMetadata().Comments.Add("taken at 48.8583 N, 2.2945 W");
        using var stream = new MemoryStream();
        image.SaveAsGif(stream);

        var stripped = MetadataStripper.Strip(stream.ToArray(), "gif")!;

        using var decoded = Image.Load(stripped);
        Assert.Equal(2, decoded.Frames.Count);
        Assert.Empty(decoded.Metadata.GetGifMetadata().Comments);
        Assert.Equal(-1, System.Text.Encoding.ASCII.GetString(stripped).IndexOf("48.8583", StringComparison.Ordinal));
    }

    static byte[] WebpWithExif()
    {
        using var image = TestImages.TwoTone(120, 80);
        image.Metadata.ExifProfile = TestImages.CameraExif();
        using var stream = new MemoryStream();
        image.SaveAsWebp(stream, new SixLabors.ImageSharp.Formats.Webp.WebpEncoder { FileFormat = SixLabors.ImageSharp.Formats.Webp.WebpFileFormatType.Lossless });
        return stream.ToArray();
    }

    static IReadOnlyList<MetadataExtractor.Directory> Directories(byte[] file) =>
        MetadataExtractor.ImageMetadataReader.ReadMetadata(new MemoryStream(file));
}
