using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Shop.BlobStorage;
using Shop.Cluster;
using Shop.ReadModel.Archive;
using Shop.Testing;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace Shop.Search.Tests.EndToEnd;

/// <summary>
/// The whole flow as separate hosts on the transport under test (SHOP_TEST_TRANSPORT): orders placed through the API
/// travel the saga, Search.Worker projects their events, and the API's search answers from the read model.
/// </summary>
public sealed class When_orders_are_placed_through_the_flow(IntegrationEnvironment environment) : IClassFixture<IntegrationEnvironment>
{
    [Fact]
    public async Task Should_make_them_searchable_from_the_read_model_and_rebuildable_from_the_archive()
    {
        await using var cluster = await ShopCluster.Start(environment, withSearch: true);
        var customer = Guid.NewGuid();
        var confirmed = new List<Guid>();
        var cancelled = new List<Guid>();
        for (var i = 0; i < 6; i++)
        {
            var declined = i % 3 == 2;
            var id = await PlaceOrder(cluster.CustomerClient(customer, "reader@example.com"), declined ? "tok_declined" : "tok_visa", i % 2 == 0 ? "MUG-001" : "PEN-001");
            (declined ? cancelled : confirmed).Add(id);
        }

        var found = await Eventually.Returns(
            () => cluster.Api.GetFromJsonAsync<OrderSearchView>($"/orders?customerId={customer}&limit=100"),
            // Events of one order may be projected in any order: a confirmation can land a batch before its payment.
            page => page!.Items.Count == 6 && page.Items.All(o => o.Status == "Cancelled" || (o.Status == "Confirmed" && o.Payment is not null)),
            "all six orders to reach their end, with their payments, in the read model", TimeSpan.FromMinutes(2));

        Assert.Equal(confirmed.ToHashSet(), found!.Items.Where(o => o.Status == "Confirmed").Select(o => o.OrderId).ToHashSet());
        Assert.Equal(cancelled.ToHashSet(), found.Items.Where(o => o.Status == "Cancelled").Select(o => o.OrderId).ToHashSet());
        Assert.All(found.Items, o => Assert.Equal("reader@example.com", o.Email));
        Assert.All(found.Items.Where(o => o.Status == "Cancelled"), o => Assert.Contains("declined", o.CancellationReason));
        Assert.All(found.Items.Where(o => o.Status == "Confirmed"), o => Assert.Equal(o.Total, o.Payment!.AmountPaid));
        Assert.NotNull(found.Freshness.LastEventAt);

        // Filters and full text on the product names the API priced the lines with.
        var confirmedOnly = await cluster.Api.GetFromJsonAsync<OrderSearchView>($"/orders?customerId={customer}&status=confirmed");
        Assert.Equal(confirmed.Count, confirmedOnly!.Items.Count);
        var mugs = await cluster.Api.GetFromJsonAsync<OrderSearchView>($"/orders?customerId={customer}&q=MUG-001");
        Assert.Equal(3, mugs!.Items.Count);
        Assert.All(mugs.Items, o => Assert.Equal("MUG-001", Assert.Single(o.Lines).Sku));
        var productName = mugs.Items[0].Lines[0].ProductName;
        Assert.False(string.IsNullOrEmpty(productName));
        var byName = await cluster.Api.GetFromJsonAsync<OrderSearchView>($"/orders?customerId={customer}&q={Uri.EscapeDataString(productName!)}");
        Assert.Equal(mugs.Items.Select(o => o.OrderId).ToHashSet(), byName!.Items.Select(o => o.OrderId).ToHashSet());

        // Cursor paging through the next links.
        var paged = new List<Guid>();
        var next = $"/orders?customerId={customer}&limit=4";
        while (next is not null)
        {
            var page = await cluster.Api.GetFromJsonAsync<OrderSearchView>(next);
            paged.AddRange(page!.Items.Select(o => o.OrderId));
            next = page.Next;
        }

        Assert.Equal(found.Items.Select(o => o.OrderId), paged);

        var history = await cluster.Api.GetFromJsonAsync<HistoryView>($"/orders/{confirmed[0]}/history");
        Assert.Equal(["OrderSubmitted", "StockReserved", "PaymentCompleted", "OrderConfirmed"],
            history!.Events.Select(e => e.Event).Where(e => e != "StockReleased").ToArray());
        Assert.NotNull(history.Freshness.LastEventAt);

        // Rebuilt from the archive Search.Worker wrote batch by batch, the read model answers the same. Late events
        // (a StockReleased, a redelivered duplicate) may still be on their way and add a batch: list once all is quiet.
        await cluster.WaitUntilQuiet();
        var settled = await cluster.Api.GetFromJsonAsync<OrderSearchView>($"/orders?customerId={customer}&limit=100");
        var archive = cluster.Search!.Services.GetRequiredService<IBlobStorage>();
        var keys = await ((IBlobListing)archive).ListAsync(EventArchive.Prefix).ToListAsync();
        Assert.NotEmpty(keys);
        Assert.All(keys, key => Assert.Matches(@"^archive/events/\d{4}/\d{2}/\d{2}/\d{2}/[0-9a-z-]+\.gz$", key));
        var rebuilt = await cluster.Search.Services.GetRequiredService<ReadModelRebuilder>().RebuildAsync();
        Assert.Equal(keys.Count, rebuilt.ArchivedBatches);
        var after = await cluster.Api.GetFromJsonAsync<OrderSearchView>($"/orders?customerId={customer}&limit=100");
        Assert.Equal(settled!.Items.Select(o => (o.OrderId, o.Status, o.Version)), after!.Items.Select(o => (o.OrderId, o.Status, o.Version)));
    }

    internal static async Task<Guid> PlaceOrder(HttpClient customer, string card, string sku)
    {
        var response = await customer.PostAsJsonAsync("/orders", new
        {
            items = new[] { new { sku, quantity = 1 } },
            payment = new { cardToken = card },
        });
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<IdView>())!.Id;
    }

    sealed record IdView(Guid Id);
}

/// <summary>Each its own cluster (one database set per fixture): the searches and histories a customer may see.</summary>
public sealed class When_customers_search_their_orders(IntegrationEnvironment environment) : IClassFixture<IntegrationEnvironment>
{
    [Fact]
    public async Task Should_show_a_customer_only_their_own_orders_and_history()
    {
        await using var cluster = await ShopCluster.Start(environment, withSearch: true);
        var ann = Guid.NewGuid();
        var bob = Guid.NewGuid();
        var asAnn = cluster.CustomerClient(ann, "ann@example.com");
        var asBob = cluster.CustomerClient(bob, "bob@example.com");
        var annsOrder = await When_orders_are_placed_through_the_flow.PlaceOrder(asAnn, "tok_visa", "MUG-001");
        var bobsOrder = await When_orders_are_placed_through_the_flow.PlaceOrder(asBob, "tok_visa", "PEN-001");
        await Eventually.Returns(() => cluster.Api.GetFromJsonAsync<OrderSearchView>("/orders?limit=100"),
            page => page!.Items.Select(o => o.OrderId).ToHashSet().IsSupersetOf([annsOrder, bobsOrder]),
            "both orders in the read model", TimeSpan.FromMinutes(2));

        // Without a filter, with her own id, and with someone else's: Ann sees her order and nothing of Bob's.
        var annsSearch = await asAnn.GetFromJsonAsync<OrderSearchView>("/orders?limit=100");
        Assert.Equal([annsOrder], annsSearch!.Items.Select(o => o.OrderId));
        Assert.Equal([annsOrder], (await asAnn.GetFromJsonAsync<OrderSearchView>($"/orders?customerId={ann}"))!.Items.Select(o => o.OrderId));
        Assert.Empty((await asAnn.GetFromJsonAsync<OrderSearchView>($"/orders?customerId={bob}"))!.Items);
        Assert.Empty((await asAnn.GetFromJsonAsync<OrderSearchView>("/orders?q=PEN-001"))!.Items);

        // Bob's history is as missing to Ann as an order that does not exist; her own is there; an operator reads both.
        var bobsHistory = await asAnn.GetAsync($"/orders/{bobsOrder}/history");
        Assert.Equal(HttpStatusCode.NotFound, bobsHistory.StatusCode);
        Assert.Equal("application/problem+json", bobsHistory.Content.Headers.ContentType!.MediaType);
        Assert.Equal(HttpStatusCode.OK, (await asAnn.GetAsync($"/orders/{annsOrder}/history")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await cluster.Api.GetAsync($"/orders/{bobsOrder}/history")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await asAnn.GetAsync($"/orders/{bobsOrder}")).StatusCode);
    }
}

public sealed class When_the_search_is_given_bad_filters(IntegrationEnvironment environment) : IClassFixture<IntegrationEnvironment>
{
    [Fact]
    public async Task Should_answer_with_problem_details_naming_each_bad_filter()
    {
        await using var cluster = await ShopCluster.Start(environment, withSearch: true);

        var response = await cluster.Api.GetAsync("/orders?customerId=someone&status=Shipped&limit=0&cursor=not-a-cursor&from=yesterday");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<ProblemView>();
        Assert.Equal(["cursor", "customerId", "from", "limit", "status"], problem!.Errors!.Keys.Order(StringComparer.Ordinal));

        var window = await cluster.Api.GetAsync("/orders?from=2026-12-02&to=2026-12-01");
        Assert.Equal(HttpStatusCode.BadRequest, window.StatusCode);
        Assert.Contains("to", (await window.Content.ReadFromJsonAsync<ProblemView>())!.Errors!.Keys);

        var images = await cluster.Api.GetAsync("/images?status=Shiny&sku=../etc");
        Assert.Equal(HttpStatusCode.BadRequest, images.StatusCode);
        Assert.Equal(["sku", "status"], (await images.Content.ReadFromJsonAsync<ProblemView>())!.Errors!.Keys.Order(StringComparer.Ordinal));

        var unknown = await cluster.Api.GetAsync($"/orders/{Guid.NewGuid()}/history");
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal("application/problem+json", unknown.Content.Headers.ContentType!.MediaType);
    }
}

public sealed class When_a_product_image_is_processed(IntegrationEnvironment environment) : IClassFixture<IntegrationEnvironment>
{
    [Fact]
    public async Task Should_show_it_in_the_image_search_with_its_thumbnails()
    {
        await using var cluster = await ShopCluster.Start(environment, withImages: true, withSearch: true);

        using var image = new Image<Rgba32>(900, 600, new Rgba32(40, 40, 200));
        using var bytes = new MemoryStream();
        await image.SaveAsJpegAsync(bytes);
        using var form = new MultipartFormDataContent();
        var file = new ByteArrayContent(bytes.ToArray());
        file.Headers.ContentType = new MediaTypeHeaderValue("image/jpeg");
        form.Add(file, "file", "tee.jpg");
        var upload = await cluster.Api.PostAsync("/products/TEE-001/images", form);
        Assert.Equal(HttpStatusCode.Accepted, upload.StatusCode);

        var found = await Eventually.Returns(() => cluster.Api.GetFromJsonAsync<ImageSearchView>("/images?sku=TEE-001&status=Processed"),
            r => r!.Items.Count == 1, "the image to be processed in the read model", TimeSpan.FromSeconds(90));
        var processed = found!.Items[0];
        Assert.Equal((900, 600), (processed.Width, processed.Height));
        Assert.NotEmpty(processed.Thumbnails);
        var thumbnail = await cluster.Api.GetAsync(processed.Thumbnails[0].Url);
        Assert.Equal(HttpStatusCode.OK, thumbnail.StatusCode);
        Assert.NotNull(found.Freshness.LastEventAt);
        Assert.Empty((await cluster.Api.GetFromJsonAsync<ImageSearchView>("/images?sku=MUG-001"))!.Items);
    }
}
