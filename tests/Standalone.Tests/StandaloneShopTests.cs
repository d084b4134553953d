using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Shop.Testing;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace Shop.Standalone.Tests;

public sealed class When_the_shop_runs_standalone : IDisposable
{
    readonly string _data = Path.Combine(Path.GetTempPath(), $"shop-standalone-{Guid.NewGuid():N}");

    [Fact]
    public async Task Should_confirm_an_order_process_an_image_and_keep_both_across_a_restart()
    {
        Guid orderId, imageId;
        byte[] thumbnail;
        int mugsBefore;

        await using (var shop = await StandaloneProcess.Start(_data))
        {
            mugsBefore = await StockOf(shop, "MUG-001");

            orderId = await PlaceOrder(shop, "tok_visa", ("MUG-001", 2), ("TEE-001", 1));
            var order = await WaitForOrder(shop, orderId);
            Assert.Equal("Confirmed", order.Status);
            Assert.Equal(["Submitted", "StockReserved", "PaymentPending", "Confirmed"], order.Timeline.Select(t => t.Status).ToArray());

            imageId = await Upload(shop, "MUG-001", width: 1200, height: 800);
            var image = await WaitForImage(shop, imageId);
            Assert.Equal("Processed", image.Status);
            Assert.Equal((1200, 800), (image.Width, image.Height));
            Assert.Contains(image.Thumbnails, t => t is { Size: 200, Width: 200, Height: 133 });
            thumbnail = await Thumbnail(shop, image, 200);

            await shop.Stop();
        }

        Assert.True(File.Exists(Path.Combine(_data, "orders.db")), "the orders database is not in the data folder");
        Assert.True(Directory.EnumerateFiles(Path.Combine(_data, "blobs"), "*", SearchOption.AllDirectories).Any(), "no blob in the data folder");

        await using (var shop = await StandaloneProcess.Start(_data))
        {
            var order = await shop.Client.GetFromJsonAsync<OrderView>($"/orders/{orderId}");
            Assert.Equal("Confirmed", order!.Status);
            Assert.Equal(4, order.Timeline.Count);
            Assert.Equal(mugsBefore - 2, await StockOf(shop, "MUG-001"));

            var image = await shop.Client.GetFromJsonAsync<ImageView>($"/images/{imageId}");
            Assert.Equal("Processed", image!.Status);
            Assert.Equal(thumbnail, await Thumbnail(shop, image, 200));

            // Not only the data: the composed bus runs the whole flow again on the databases it found.
            var declined = await PlaceOrder(shop, "tok_declined", ("MUG-001", 1));
            var cancelled = await WaitForOrder(shop, declined);
            Assert.Equal("Cancelled", cancelled.Status);
            Assert.Contains("declined", cancelled.CancellationReason);
            await Eventually.Returns(() => StockOf(shop, "MUG-001"), stock => stock == mugsBefore - 2, "the declined order's mug to be given back");

            await shop.Stop();
        }
    }

    static async Task<Guid> PlaceOrder(StandaloneProcess shop, string cardToken, params (string Sku, int Quantity)[] items)
    {
        using var customer = shop.CustomerClient(Guid.NewGuid());
        var response = await customer.PostAsJsonAsync("/orders", new
        {
            items = items.Select(i => new { sku = i.Sku, quantity = i.Quantity }),
            payment = new { cardToken }
        });
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, $"POST /orders answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        return (await response.Content.ReadFromJsonAsync<Accepted>())!.Id;
    }

    static async Task<OrderView> WaitForOrder(StandaloneProcess shop, Guid id) =>
        (await Eventually.Returns(() => shop.Client.GetFromJsonAsync<OrderView>($"/orders/{id}"),
            order => order!.Status is "Confirmed" or "Cancelled", $"order {id} to finish", TimeSpan.FromSeconds(60)))!;

    static async Task<Guid> Upload(StandaloneProcess shop, string sku, int width, int height)
    {
        using var image = new Image<Rgba32>(width, height, new Rgba32(200, 40, 40));
        using var bytes = new MemoryStream();
        await image.SaveAsJpegAsync(bytes);
        using var form = new MultipartFormDataContent();
        var file = new ByteArrayContent(bytes.ToArray());
        file.Headers.ContentType = new MediaTypeHeaderValue("image/jpeg");
        form.Add(file, "file", "photo.jpg");

        var response = await shop.Client.PostAsync($"/products/{sku}/images", form);
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, $"upload answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        return (await response.Content.ReadFromJsonAsync<Accepted>())!.Id;
    }

    static async Task<ImageView> WaitForImage(StandaloneProcess shop, Guid id) =>
        (await Eventually.Returns(() => shop.Client.GetFromJsonAsync<ImageView>($"/images/{id}"),
            image => image!.Status is "Processed" or "Failed", $"image {id} to be processed", TimeSpan.FromSeconds(60)))!;

    static async Task<byte[]> Thumbnail(StandaloneProcess shop, ImageView image, int size)
    {
        var response = await shop.Client.GetAsync(image.Thumbnails.First(t => t.Size == size && t.Format == "jpeg").Url);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("image/jpeg", response.Content.Headers.ContentType!.MediaType);
        return await response.Content.ReadAsByteArrayAsync();
    }

    static async Task<int> StockOf(StandaloneProcess shop, string sku) =>
        (await shop.Client.GetFromJsonAsync<List<ProductView>>("/products"))!.Single(p => p.Sku == sku).StockOnHand;

    sealed record Accepted(Guid Id, string Status);
    sealed record OrderView(Guid Id, string Status, string? CancellationReason, IReadOnlyList<TimelineView> Timeline);
    sealed record TimelineView(string Status, string? Reason);
    sealed record ImageView(Guid Id, string Status, int? Width, int? Height, IReadOnlyList<ThumbnailView> Thumbnails);
    sealed record ThumbnailView(int Size, string Format, int Width, int Height, string Url);
    sealed record ProductView(string Sku, int StockOnHand);

    public void Dispose()
    {
        if (Directory.Exists(_data))
            Directory.Delete(_data, recursive: true);
    }
}
