using System.Text.Json;
using Shop.Images.Tests.Infrastructure;
using Xunit;

namespace Shop.Images.Tests;

[Trait("Category", "NoTransport")]
public sealed class When_metadata_is_extracted : IDisposable
{
    readonly WorkerComponents _worker = new();

    [Fact]
    public void Should_read_back_every_camera_field_of_a_jpeg()
    {
        var metadata = _worker.MetadataReader.Read(TestImages.Jpeg(320, 240, TestImages.CameraExif(orientation: 6)));

        Assert.Equal(TestImages.Make, metadata.CameraMake);
        Assert.Equal(TestImages.Model, metadata.CameraModel);
        Assert.Equal(TestImages.CapturedAt, metadata.CapturedAt);
        Assert.Equal(TestImages.ExposureSeconds, metadata.ExposureTimeSeconds!.Value, 6);
        Assert.Equal(TestImages.FNumber, metadata.FNumber!.Value, 6);
        Assert.Equal(TestImages.Iso, metadata.Iso);
        Assert.Equal(TestImages.FocalLength, metadata.FocalLengthMillimetres!.Value, 6);
        Assert.Equal(6, metadata.Orientation);
        Assert.Equal(TestImages.Latitude, metadata.Latitude!.Value, 4);
        Assert.Equal(TestImages.Longitude, metadata.Longitude!.Value, 4);
        Assert.Contains("Exif IFD0", metadata.Tags.Keys);
        Assert.Equal(TestImages.Make, metadata.Tags["Exif IFD0"]["Make"]);
        Assert.Equal(metadata.Tags.Values.Sum(t => t.Count), metadata.TagCount);
    }

    [Fact]
    public async Task Should_read_the_pixel_dimensions_from_the_header()
    {
        var header = await _worker.Loader.IdentifyAsync(TestImages.Png(321, 123, TestImages.CameraExif()), CancellationToken.None);

        Assert.Equal(("png", 321, 123), (header.Format, header.Width, header.Height));
    }

    [Fact]
    public void Should_read_the_camera_fields_of_a_png_exif_chunk()
    {
        var metadata = _worker.MetadataReader.Read(TestImages.Png(64, 64, TestImages.CameraExif()));

        Assert.Equal(TestImages.Make, metadata.CameraMake);
        Assert.Equal(TestImages.Latitude, metadata.Latitude!.Value, 4);
    }

    [Fact]
    public void Should_leave_absent_fields_empty_and_still_list_the_tags_there_are()
    {
        var metadata = _worker.MetadataReader.Read(TestImages.Png(10, 10));

        Assert.Null(metadata.CameraMake);
        Assert.Null(metadata.CapturedAt);
        Assert.Null(metadata.Latitude);
        Assert.Null(metadata.Orientation);
        Assert.Contains("PNG-IHDR", metadata.Tags.Keys);
        Assert.NotNull(JsonSerializer.Serialize(metadata.Tags));
    }

    [Fact]
    public void Should_number_directories_that_share_a_name()
    {
        var metadata = _worker.MetadataReader.Read(HostileImages.PngTextFlood(3));

        Assert.Equal(["PNG-tEXt", "PNG-tEXt (2)", "PNG-tEXt (3)"], metadata.Tags.Keys.Where(k => k.StartsWith("PNG-tEXt")));
    }

    [Fact]
    public void Should_refuse_a_flood_of_directories_before_naming_them()
    {
        var exception = Assert.Throws<Shop.Images.Worker.Processing.InvalidImageException>(
            () => _worker.MetadataReader.Read(HostileImages.PngTextFlood(20_000)));

        Assert.Contains("20002 metadata directories, over the limit of 256", exception.Message);
    }

    [Fact]
    public void Should_name_many_directories_when_the_limit_allows_them()
    {
        var generous = new Shop.Images.Worker.Processing.CameraMetadataReader(maxDirectories: 50_000, maxTags: 100_000);

        var metadata = generous.Read(HostileImages.PngTextFlood(20_000));

        Assert.Equal(20_000, metadata.Tags.Keys.Count(k => k.StartsWith("PNG-tEXt")));
        Assert.Contains("PNG-tEXt (20000)", metadata.Tags.Keys);
    }

    [Fact]
    public void Should_name_directories_that_share_a_name_with_work_linear_in_their_number()
    {
        // 20,000 text chunks took 12.6 s to name when each name was probed from "(2)" upwards: ~200 million probes.
        var names = new Shop.Images.Worker.Processing.DirectoryNames();

        var named = Enumerable.Range(0, 20_000).Select(_ => names.Next("PNG-tEXt")).ToList();

        Assert.Equal(20_000, named.Distinct().Count());
        Assert.Equal("PNG-tEXt (20000)", named[^1]);
        Assert.True(names.Probes <= 2 * 20_000, $"{names.Probes} names tried for 20,000 directories");
    }

    [Fact]
    public void Should_step_over_a_number_that_a_directory_already_carries_in_its_name()
    {
        var names = new Shop.Images.Worker.Processing.DirectoryNames();

        Assert.Equal(["A", "A (2)", "A (3)"], new[] { "A", "A (2)", "A" }.Select(names.Next));
    }

    public void Dispose() => _worker.Dispose();
}
