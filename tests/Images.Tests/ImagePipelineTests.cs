using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Shop.ProductImages.Endpoints;
using MetadataExtractor.Formats.Exif;
using Microsoft.EntityFrameworkCore;
using Shop.Contracts.Images;
using Shop.Images.Tests.Infrastructure;
using Shop.Testing;
using SixLabors.ImageSharp;
using Xunit;

namespace Shop.Images.Tests;

public sealed class When_uploaded_images_are_processed(ImagePipeline pipeline) : IClassFixture<ImagePipeline>
{
    [Fact]
    public async Task Should_become_processed_with_thumbnails_and_metadata()
    {
        var location = await pipeline.UploadAccepted(TestImages.Jpeg(400, 200, TestImages.CameraExif(orientation: 6)), "SKU-CAMERA");

        var image = await pipeline.Settled(location);

        Assert.Equal("Processed", image.Status);
        Assert.Null(image.FailureReason);
        Assert.Equal((400, 200), (image.Width, image.Height));
        Assert.Equal(6, image.Thumbnails.Count);
        Assert.Contains(image.Thumbnails, t => (t.Size, t.Format, t.Width, t.Height) == (200, "webp", 100, 200));
        Assert.Equal(6, pipeline.ThumbnailFiles(image.Id).Count);

        var metadata = image.Metadata!.Value;
        Assert.Equal(TestImages.Make, metadata.GetProperty("cameraMake").GetString());
        Assert.Equal(TestImages.Iso, metadata.GetProperty("iso").GetInt32());
        Assert.False(metadata.TryGetProperty("latitude", out _), "GET /images/{id} shows where the photo was taken.");
        Assert.False(metadata.TryGetProperty("longitude", out _));

        foreach (var thumbnail in image.Thumbnails)
        {
            using var response = await pipeline.Client.GetAsync(thumbnail.Url);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal(thumbnail.ContentType, response.Content.Headers.ContentType!.MediaType);
            Assert.NotNull(response.Headers.ETag);
            var bytes = await response.Content.ReadAsByteArrayAsync();
            var info = Image.Identify(bytes);
            Assert.Equal((thumbnail.Width, thumbnail.Height), (info.Width, info.Height));
            Assert.Empty(MetadataExtractor.ImageMetadataReader.ReadMetadata(new MemoryStream(bytes)).OfType<GpsDirectory>());
        }

        await using var worker = pipeline.CreateWorkerDbContext();
        var row = await worker.ImageMetadata.SingleAsync(x => x.ImageId == image.Id);
        Assert.Equal((TestImages.Make, TestImages.Model, TestImages.CapturedAt, 6), (row.CameraMake, row.CameraModel, row.CapturedAt, row.Orientation));
        Assert.Contains("\"Exif IFD0\"", row.Tags);
        // The location is kept only in the worker's table, which no public endpoint reads.
        Assert.Equal(TestImages.Latitude, row.Latitude!.Value, 4);
    }

    [Fact]
    public async Task Should_serve_the_original_without_its_metadata_as_a_download_that_is_never_sniffed()
    {
        var uploaded = TestImages.Jpeg(400, 200, TestImages.CameraExif(orientation: 6));
        var image = await pipeline.Settled(await pipeline.UploadAccepted(uploaded, "SKU-PRIVATE"));
        Assert.Equal("Processed", image.Status);

        using var response = await pipeline.Client.GetAsync(image.OriginalUrl);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("image/jpeg", response.Content.Headers.ContentType!.MediaType);
        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Equal("attachment", response.Content.Headers.ContentDisposition!.DispositionType);
        Assert.Equal($"{image.Id:N}.jpg", response.Content.Headers.ContentDisposition.FileName?.Trim('"'));
        var served = await response.Content.ReadAsByteArrayAsync();
        var directories = MetadataExtractor.ImageMetadataReader.ReadMetadata(new MemoryStream(served));
        Assert.Empty(directories.OfType<GpsDirectory>());
        // Of the EXIF only the orientation is left, so a viewer still turns the photo upright.
        Assert.Equal(["Orientation"], directories.OfType<ExifIfd0Directory>().Single().Tags.Select(t => t.Name));
        using (var decoded = Image.Load(served))
            Assert.Equal((400, 200), (decoded.Width, decoded.Height));
        // What was uploaded is still stored as it was, for an operator.
        var raw = await File.ReadAllBytesAsync(Path.Combine(pipeline.BlobRoot, "images", image.Id.ToString("N"), "original"));
        Assert.Equal(uploaded, raw);

        using var thumbnail = await pipeline.Client.GetAsync(image.Thumbnails[0].Url);
        Assert.Equal("nosniff", thumbnail.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Equal("inline", thumbnail.Content.Headers.ContentDisposition!.DispositionType);
    }

    [Fact]
    public async Task Should_not_serve_the_original_of_an_image_that_failed()
    {
        var image = await pipeline.Settled(await pipeline.UploadAccepted(HostileImages.GifFlood(3000, 3000, 30), "SKU-FAILED"));
        Assert.Equal("Failed", image.Status);

        using var response = await pipeline.Client.GetAsync(image.OriginalUrl);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Should_fail_hostile_images_with_a_reason_and_still_process_a_good_one_afterwards()
    {
        var hostile = new Dictionary<string, byte[]>
        {
            ["cut off before its image data"] = TestImages.JpegCutOff(keep: 0),
            ["100000×100000"] = TestImages.PngDeclaring(100_000, 100_000),
            ["noise"] = TestImages.NoiseBehind(TestImages.PngSignature),
            ["bomb"] = TestImages.PngBomb(),
            ["frames"] = HostileImages.GifFlood(3000, 3000, 30),
            ["metadata"] = HostileImages.PngTextFlood(20_000),
        };
        var locations = new Dictionary<string, Uri>();
        foreach (var (name, bytes) in hostile)
            locations[name] = await pipeline.UploadAccepted(bytes, "SKU-HOSTILE");
        var good = await pipeline.UploadAccepted(TestImages.Png(300, 300), "SKU-HOSTILE");

        foreach (var (name, location) in locations)
        {
            var image = await pipeline.Settled(location);
            // Pixels that are over the budget leave metadata that can still be read: partly processed, no thumbnails.
            Assert.True(image.Status is "Failed" or "PartiallyProcessed", $"{name}: {image.Status}");
            Assert.False(string.IsNullOrWhiteSpace(image.FailureReason), name);
            Assert.Empty(image.Thumbnails);
            Assert.Equal("Failed", image.Processing!.Thumbnails.State);
        }

        Assert.Contains("truncated", (await pipeline.Get(locations["cut off before its image data"])).FailureReason);
        Assert.Contains("over the budget", (await pipeline.Get(locations["bomb"])).FailureReason);
        Assert.Contains("30 frames", (await pipeline.Get(locations["frames"])).FailureReason);
        Assert.Equal("Failed", (await pipeline.Get(locations["frames"])).Status);
        Assert.Contains("20001 metadata blocks", (await pipeline.Get(locations["metadata"])).FailureReason);
        Assert.Equal("Failed", (await pipeline.Get(locations["metadata"])).Status);
        Assert.Equal("Processed", (await pipeline.Settled(good)).Status);

        var errored = await Eventually.Returns(() => pipeline.Queues.Take("generate-thumbnails_error", 10),
            m => m.Count > 0, "hostile images in the thumbnail error queue");
        Assert.NotEmpty(errored);
    }

    [Fact]
    public async Task Should_give_a_truncated_camera_jpeg_partial_thumbnails_and_its_metadata()
    {
        var image = await pipeline.Settled(await pipeline.UploadAccepted(TestImages.JpegCutOff(800, 600, keep: 0.5), "SKU-CUT"));

        Assert.Equal("PartiallyProcessed", image.Status);
        Assert.Equal(("Partial", "Succeeded"), (image.Processing!.Thumbnails.State, image.Processing.Metadata.State));
        Assert.Contains("truncated", image.Processing.Thumbnails.Reason);
        Assert.Contains("Thumbnails partial", image.FailureReason);
        Assert.Equal(6, image.Thumbnails.Count);
        Assert.Equal(TestImages.Make, image.Metadata!.Value.GetProperty("cameraMake").GetString());
        Assert.Equal((800, 600), (image.Width, image.Height));
        using var thumbnail = await pipeline.Client.GetAsync(image.Thumbnails[0].Url);
        Assert.Equal(HttpStatusCode.OK, thumbnail.StatusCode);
    }

    [Fact]
    public async Task Should_process_a_jpeg_whose_height_is_in_a_dnl_marker()
    {
        var image = await pipeline.Settled(await pipeline.UploadAccepted(TestImages.JpegWithDnl(320, 240), "SKU-DNL"));

        Assert.Equal("Processed", image.Status);
        Assert.Equal((320, 240), (image.Width, image.Height));
        Assert.Equal(6, image.Thumbnails.Count);
    }

    [Fact]
    public async Task Should_keep_the_metadata_of_a_jpeg_with_zero_lines_and_no_dnl_marker_and_say_why_there_are_no_thumbnails()
    {
        var image = await pipeline.Settled(await pipeline.UploadAccepted(TestImages.JpegWithDnl(320, 240, withDnl: false), "SKU-NODNL"));

        Assert.Equal("PartiallyProcessed", image.Status);
        Assert.Equal(("Failed", "Succeeded"), (image.Processing!.Thumbnails.State, image.Processing.Metadata.State));
        Assert.Contains("DNL", image.Processing.Thumbnails.Reason);
        Assert.Empty(image.Thumbnails);
        Assert.Equal(TestImages.Make, image.Metadata!.Value.GetProperty("cameraMake").GetString());
        Assert.Null(image.Height);
    }

    [Fact]
    public async Task Should_not_process_again_when_image_uploaded_arrives_again()
    {
        var location = await pipeline.UploadAccepted(TestImages.Jpeg(640, 480, TestImages.CameraExif()), "SKU-AGAIN");
        var first = await pipeline.Settled(location);
        Assert.Equal("Processed", first.Status);

        // The same event published again (a new message id, so the inbox does not filter it out): the saga has the image.
        await pipeline.ApiBus.Publish(new ImageUploaded(first.Id, first.Sku, $"images/{first.Id:N}/original", first.ContentType, first.Format,
            first.SizeBytes, first.CreatedAt.UtcDateTime));
        await pipeline.WaitUntilQuiet();

        var again = await pipeline.Get(location);
        Assert.Equal(("Processed", 1, 1, 1), (again.Status, again.Processing!.Run, again.Processing.Thumbnails.Attempt, again.Processing.Metadata.Attempt));
        Assert.Equal(first.UpdatedAt, again.UpdatedAt);
    }

    [Fact]
    public async Task Should_reprocess_all_branches_without_duplicating_rows_or_files_and_ignore_a_repeated_request()
    {
        var location = await pipeline.UploadAccepted(TestImages.Jpeg(640, 480, TestImages.CameraExif()), "SKU-REPROCESS");
        var first = await pipeline.Settled(location);
        Assert.Equal("Processed", first.Status);
        await using var worker = pipeline.CreateWorkerDbContext();
        var extractedAt = (await worker.ImageMetadata.AsNoTracking().SingleAsync(x => x.ImageId == first.Id)).ExtractedAt;

        using (var nothing = await pipeline.Client.PostAsync($"/images/{first.Id}/reprocess", null))
        {
            // Nothing failed, so nothing to run again.
            Assert.Equal(HttpStatusCode.OK, nothing.StatusCode);
        }

        using var accepted = await pipeline.Client.PostAsync($"/images/{first.Id}/reprocess?scope=all", null);
        Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
        Assert.Equal(location.ToString(), accepted.Headers.Location!.ToString());
        var answer = (await accepted.Content.ReadFromJsonAsync<ImageReprocessAnswer>(JsonSerializerOptions.Web))!;
        Assert.Equal(["thumbnails", "metadata"], answer.Branches);

        var again = await Eventually.Returns(() => pipeline.Get(location), i => i.Processing!.Run == 2, "the second verdict");
        Assert.Equal(("Processed", 2, 2), (again.Status, again.Processing!.Thumbnails.Attempt, again.Processing.Metadata.Attempt));
        Assert.True((await worker.ImageMetadata.AsNoTracking().SingleAsync(x => x.ImageId == first.Id)).ExtractedAt > extractedAt);
        Assert.Equal(1, await worker.ImageMetadata.CountAsync(x => x.ImageId == first.Id));
        Assert.Equal(first.Thumbnails.Select(t => t.Url), again.Thumbnails.Select(t => t.Url));
        Assert.Equal(["200.jpg", "200.webp", "64.jpg", "64.webp", "800.jpg", "800.webp"], pipeline.ThumbnailFiles(first.Id));
    }

    [Fact]
    public async Task Should_answer_reprocess_requests_for_unknown_images_and_scopes_with_problems()
    {
        using var unknown = await pipeline.Client.PostAsync($"/images/{Guid.NewGuid()}/reprocess", null);
        using var scope = await pipeline.Client.PostAsync($"/images/{Guid.NewGuid()}/reprocess?scope=everything", null);

        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, scope.StatusCode);
        Assert.Equal("application/problem+json", scope.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Should_reprocess_the_failed_branch_of_every_image_of_a_product()
    {
        var broken = await pipeline.Settled(await pipeline.UploadAccepted(TestImages.JpegWithDnl(320, 240, withDnl: false), "SKU-BULK"));
        var fine = await pipeline.Settled(await pipeline.UploadAccepted(TestImages.Jpeg(100, 100), "SKU-BULK"));
        Assert.Equal(("PartiallyProcessed", "Processed"), (broken.Status, fine.Status));

        using var response = await pipeline.Client.PostAsync("/products/SKU-BULK/images/reprocess", null);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var answer = (await response.Content.ReadFromJsonAsync<ProductImagesReprocessAnswer>(JsonSerializerOptions.Web))!;
        Assert.Equal(["thumbnails"], answer.Images.Single(i => i.Id == broken.Id).Branches);
        Assert.Empty(answer.Images.Single(i => i.Id == fine.Id).Branches);
        // The file is still what it was, so the thumbnails fail again, with the same reason, under a new attempt.
        var again = await Eventually.Returns(() => pipeline.Get(new Uri($"/images/{broken.Id}", UriKind.Relative)), i => i.Processing!.Run == 2,
            "the second verdict");
        Assert.Equal(("PartiallyProcessed", 2, 1), (again.Status, again.Processing!.Thumbnails.Attempt, again.Processing.Metadata.Attempt));
        Assert.Equal(1, (await pipeline.Get(new Uri($"/images/{fine.Id}", UriKind.Relative))).Processing!.Run);
    }

    [Fact]
    public async Task Should_process_twenty_uploads_each_exactly_once()
    {
        var locations = new List<Uri>();
        for (var i = 0; i < 20; i++)
        {
            var bytes = i % 2 == 0 ? TestImages.Jpeg(200 + i * 10, 150, TestImages.CameraExif()) : TestImages.Png(150, 200 + i * 10);
            locations.Add(await pipeline.UploadAccepted(bytes, $"SKU-BATCH-{i}"));
        }

        var images = new List<Shop.ProductImages.Endpoints.ProductImageResponse>();
        foreach (var location in locations)
            images.Add(await pipeline.Settled(location, TimeSpan.FromSeconds(120)));

        Assert.All(images, image => Assert.Equal("Processed", image.Status));
        Assert.All(images, image => Assert.Equal(6, pipeline.ThumbnailFiles(image.Id).Count));
        var ids = images.Select(i => i.Id).ToList();
        await using var worker = pipeline.CreateWorkerDbContext();
        var rows = await worker.ImageMetadata.Where(x => ids.Contains(x.ImageId)).GroupBy(x => x.ImageId).Select(g => g.Count()).ToListAsync();
        Assert.Equal(20, rows.Count);
        Assert.All(rows, count => Assert.Equal(1, count));
    }
}
