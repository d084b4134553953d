using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Shop.ProductImages.Endpoints;
using Shop.Cluster;
using Shop.Testing;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using Xunit;

namespace Shop.EndToEnd.Tests;

public sealed class When_a_product_image_is_uploaded_to_the_api(IntegrationEnvironment environment) : IClassFixture<IntegrationEnvironment>
{
    [Fact]
    public async Task Should_become_processed_with_thumbnails_served_by_the_api()
    {
        await using var cluster = await ShopCluster.Start(environment, withImages: true);

        using var image = new Image<Rgba32>(1200, 800, new Rgba32(200, 40, 40));
        using var bytes = new MemoryStream();
        await image.SaveAsJpegAsync(bytes);
        using var form = new MultipartFormDataContent();
        var file = new ByteArrayContent(bytes.ToArray());
        file.Headers.ContentType = new MediaTypeHeaderValue("image/jpeg");
        form.Add(file, "file", "mug.jpg");

        var upload = await cluster.Api.PostAsync("/products/MUG-001/images", form);
        Assert.Equal(HttpStatusCode.Accepted, upload.StatusCode);
        var location = upload.Headers.Location!.ToString();

        var processed = await Eventually.Returns(() => cluster.Api.GetFromJsonAsync<ProductImageResponse>(location),
            i => i!.Status is "Processed" or "Failed", "the image to be processed", TimeSpan.FromSeconds(60));
        Assert.Equal("Processed", processed!.Status);
        Assert.Equal((1200, 800), (processed.Width, processed.Height));
        Assert.Contains(processed.Thumbnails, t => t.Size == 200 && t.Width == 200 && t.Height == 133);

        var thumbnail = await cluster.Api.GetAsync(processed.Thumbnails.First(t => t.Size == 200).Url);
        Assert.Equal(HttpStatusCode.OK, thumbnail.StatusCode);
        Assert.StartsWith("image/", thumbnail.Content.Headers.ContentType!.MediaType);

        var unknownProduct = await cluster.Api.PostAsync("/products/NOPE-404/images", form);
        Assert.Equal(HttpStatusCode.NotFound, unknownProduct.StatusCode);
    }
}
