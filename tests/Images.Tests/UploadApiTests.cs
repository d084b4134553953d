using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Mvc;
using Shop.Images.Tests.Infrastructure;
using Xunit;

namespace Shop.Images.Tests;

/// <summary>The pipeline with a 256 KB upload limit, so the limit is cheap to cross.</summary>
public sealed class SmallUploadPipeline : ImagePipeline
{
    public const int MaxUploadBytes = 256 * 1024;

    protected override IDictionary<string, string?> Overrides => new Dictionary<string, string?>
    {
        ["Images:MaxUploadBytes"] = MaxUploadBytes.ToString(),
    };
}

public sealed class When_an_image_is_uploaded(SmallUploadPipeline pipeline) : IClassFixture<SmallUploadPipeline>
{
    [Fact]
    public async Task Should_accept_it_with_a_location_to_poll()
    {
        using var response = await pipeline.Upload("SKU-42", TestImages.Png(40, 20), "picture.png", "image/png");

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var location = response.Headers.Location!;
        Assert.Matches("^/images/[0-9a-f-]{36}$", location.OriginalString);
        var image = await pipeline.Get(location);
        Assert.Equal(("SKU-42", "png", "image/png"), (image.Sku, image.Format, image.ContentType));
        Assert.Contains(image.Status, new[] { "Pending", "Processed" });
    }

    [Fact]
    public async Task Should_trust_the_bytes_not_the_file_name_or_content_type()
    {
        using var response = await pipeline.Upload("SKU-1", TestImages.Png(8, 8), "holiday.jpg", "image/jpeg");

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var image = await pipeline.Get(response.Headers.Location!);
        Assert.Equal(("png", "image/png"), (image.Format, image.ContentType));
    }

    [Fact]
    public async Task Should_refuse_a_file_that_is_not_an_image_with_415()
    {
        using var response = await pipeline.Upload("SKU-1", "just some text, named like a photo"u8.ToArray(), "photo.jpg");

        await AssertProblem(response, HttpStatusCode.UnsupportedMediaType);
    }

    [Fact]
    public async Task Should_refuse_a_body_that_is_not_multipart_with_415()
    {
        using var response = await pipeline.Client.PostAsync("/products/SKU-1/images", new ByteArrayContent(TestImages.Jpeg(8, 8))
        {
            Headers = { ContentType = new MediaTypeHeaderValue("image/jpeg") },
        });

        await AssertProblem(response, HttpStatusCode.UnsupportedMediaType);
    }

    [Fact]
    public async Task Should_refuse_a_file_over_the_limit_with_413()
    {
        var tooLarge = TestImages.NoiseBehind(TestImages.JpegSignature, SmallUploadPipeline.MaxUploadBytes + 1);

        using var response = await pipeline.Upload("SKU-1", tooLarge);

        await AssertProblem(response, HttpStatusCode.RequestEntityTooLarge);
    }

    [Fact]
    public async Task Should_refuse_a_zero_byte_file_with_400()
    {
        using var response = await pipeline.Upload("SKU-1", []);

        await AssertProblem(response, HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Should_refuse_two_files_with_400()
    {
        using var form = new MultipartFormDataContent
        {
            { new ByteArrayContent(TestImages.Jpeg(8, 8)), "file", "a.jpg" },
            { new ByteArrayContent(TestImages.Jpeg(8, 8)), "file", "b.jpg" },
        };
        using var response = await pipeline.Client.PostAsync("/products/SKU-1/images", form);

        await AssertProblem(response, HttpStatusCode.BadRequest);
    }

    [Theory]
    [InlineData("..%2F..%2Fetc")]
    [InlineData("sku%20with%20spaces")]
    [InlineData("-leading-dash")]
    public async Task Should_answer_404_for_a_sku_that_cannot_exist(string sku)
    {
        using var response = await pipeline.Upload(sku, TestImages.Jpeg(8, 8));

        await AssertProblem(response, HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Should_answer_501_for_an_upload_url_when_blobs_are_on_disk()
    {
        using var response = await pipeline.Client.PostAsync("/products/SKU-1/images/upload-url", null);

        await AssertProblem(response, HttpStatusCode.NotImplemented);
    }

    [Fact]
    public async Task Should_answer_404_for_an_unknown_image()
    {
        using var response = await pipeline.Client.GetAsync($"/images/{Guid.NewGuid()}");

        await AssertProblem(response, HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Should_stream_the_original_with_its_content_type_and_etag_and_answer_304_when_unchanged()
    {
        var bytes = TestImages.Webp(30, 30);
        var location = await pipeline.UploadAccepted(bytes, fileName: "x.webp");
        var image = await pipeline.Settled(location);

        using var first = await pipeline.Client.GetAsync(image.OriginalUrl);
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal("image/webp", first.Content.Headers.ContentType!.MediaType);
        Assert.Equal(bytes, await first.Content.ReadAsByteArrayAsync());
        var etag = first.Headers.ETag!;

        using var request = new HttpRequestMessage(HttpMethod.Get, image.OriginalUrl) { Headers = { IfNoneMatch = { etag } } };
        using var second = await pipeline.Client.SendAsync(request);
        Assert.Equal(HttpStatusCode.NotModified, second.StatusCode);
        Assert.Empty(await second.Content.ReadAsByteArrayAsync());
    }

    static async Task AssertProblem(HttpResponseMessage response, HttpStatusCode status)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<ProblemDetails>();
        Assert.Equal((int)status, problem!.Status);
        Assert.False(string.IsNullOrWhiteSpace(problem.Detail));
    }
}
