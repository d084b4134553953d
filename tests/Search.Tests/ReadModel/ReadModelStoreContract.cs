using Shop.Contracts.Images;
using System.Text.Json;
using Shop.ReadModel.Documents;
using Shop.ReadModel.Projections;
using Shop.ReadModel.Storage;
using Shop.Search.Tests.Infrastructure;
using static Shop.Search.Tests.Infrastructure.OrderHistories;

namespace Shop.Search.Tests.ReadModel;

/// <summary>
/// What every read-model store must do, run against each adapter (the subclasses at the end of this file). Each test
/// has stores of its own.
/// </summary>
public abstract class ReadModelStoreContract<TStores>(TStores stores) : IClassFixture<TStores> where TStores : class, IReadModelStores
{
    static readonly CancellationToken None = CancellationToken.None;

    async Task<Projection> NewProjection(string? archiveRoot = null) => new(await stores.CreateStore(), archiveRoot);

    [Fact]
    public async Task Should_converge_to_the_same_documents_whatever_the_order_and_copies_of_the_events()
    {
        var events = Many(40).Concat(Image(Guid.NewGuid(), "MUG-001")).Concat(Image(Guid.NewGuid(), "TEE-001", failed: true)).ToList();
        var inOrder = await NewProjection();
        await inOrder.ApplyInBatches(events, 7);

        // Copies and shuffled order, in batches applied concurrently: the batches race for the same documents.
        var shuffled = await NewProjection();
        var batches = ShuffledWithCopies(events, seed: 16).Chunk(11).ToList();
        await Parallel.ForEachAsync(batches, new ParallelOptions { MaxDegreeOfParallelism = 4 }, async (batch, _) => await shuffled.Apply(batch));

        var expected = (await inOrder.Orders(events)).Select(Projection.Content).ToList();
        Assert.Equal(40, expected.Count);
        Assert.Equal(expected, (await shuffled.Orders(events)).Select(Projection.Content).ToList());
        Assert.Equal((await inOrder.Images(events)).Select(Projection.Content), (await shuffled.Images(events)).Select(Projection.Content));
    }

    [Fact]
    public async Task Should_change_nothing_when_a_batch_arrives_again()
    {
        var projection = await NewProjection();
        var events = Many(5).Concat(Image(Guid.NewGuid(), "MUG-001")).ToList();
        var first = await projection.Apply(events);
        Assert.Equal(events.Count, first.Applied);
        var before = await projection.Orders(events);
        var imagesBefore = await projection.Images(events);

        var again = await projection.Apply(events);

        Assert.Equal(0, again.Applied);
        Assert.Equal(0, again.Written);
        var after = await projection.Orders(events);
        Assert.Equal(before.Select(o => (o.Revision, o.UpdatedAt, Projection.Content(o))), after.Select(o => (o.Revision, o.UpdatedAt, Projection.Content(o))));
        Assert.Equal(imagesBefore.Select(i => (i.Revision, i.UpdatedAt)), (await projection.Images(events)).Select(i => (i.Revision, i.UpdatedAt)));
    }

    [Fact]
    public async Task Should_never_let_an_older_event_overwrite_a_newer_state()
    {
        var projection = await NewProjection();
        var orderId = Guid.NewGuid();
        var history = Order(orderId, Guid.NewGuid(), Start, Outcome.Confirmed, products: [Mug, Tee]);

        // Newest first, one event per batch: each older event arrives after a newer state is stored.
        foreach (var evt in Enumerable.Reverse(history))
            await projection.Apply([evt]);

        var order = (await projection.Orders(history)).Single();
        Assert.Equal(OrderSummaryStatus.Confirmed, order.Status);
        Assert.Equal(3, order.Version);
        Assert.Equal(["Ceramic Mug", "Cotton Tee"], order.Lines.Select(l => l.ProductName));
        Assert.Equal(29.80m, order.Total);
        Assert.Equal($"pay_{orderId:N}", order.PaymentId);
        Assert.Equal(["OrderSubmitted", "StockReserved", "PaymentCompleted", "OrderConfirmed"], order.Timeline.Select(t => t.Event));
        Assert.Equal(history.Count, order.Revision);
    }

    [Fact]
    public async Task Should_keep_a_cancelled_order_cancelled_when_its_payment_lands_late()
    {
        var projection = await NewProjection();
        var history = Order(Guid.NewGuid(), Guid.NewGuid(), Start, Outcome.PaidAfterCancellation);
        await projection.Apply(history);

        var order = (await projection.Orders(history)).Single();
        Assert.Equal(OrderSummaryStatus.Cancelled, order.Status);
        Assert.Equal("timed out waiting for the payment", order.CancellationReason);
        Assert.Equal(order.AmountPaid, order.AmountRefunded);
        Assert.Equal(history.Count, order.Timeline.Count);
    }

    [Fact]
    public async Task Should_page_newest_first_with_a_cursor()
    {
        var projection = await NewProjection();
        var customer = Guid.NewGuid();
        var events = Enumerable.Range(0, 25).SelectMany(i => Order(Guid.NewGuid(), customer, Start.AddMinutes(i), Outcome.Confirmed))
            .Concat(Order(Guid.NewGuid(), Guid.NewGuid(), Start.AddMinutes(3), Outcome.Confirmed)).ToList();
        await projection.ApplyInBatches(events, 50);

        var pages = new List<OrderSummaryPage>();
        string? after = null;
        do
        {
            var page = await projection.Store.QueryOrdersAsync(new OrderSummaryQuery(CustomerId: customer, After: after, Limit: 10), None);
            pages.Add(page);
            after = page.NextAfter;
        } while (after is not null && pages.Count < 10);

        Assert.Equal([10, 10, 5], pages.Select(p => p.Items.Count));
        var placed = pages.SelectMany(p => p.Items).Select(o => o.PlacedAt).ToList();
        Assert.Equal(Enumerable.Range(0, 25).Reverse().Select(i => Start.AddMinutes(i)), placed);
        Assert.Equal(25, pages.SelectMany(p => p.Items).Select(o => o.OrderId).Distinct().Count());
    }

    [Fact]
    public async Task Should_filter_by_customer_status_and_time()
    {
        var projection = await NewProjection();
        var events = Many(40, customers: 4);
        await projection.ApplyInBatches(events, 100);
        var customer = ((OrderSubmitted(events[0])).CustomerId);

        var confirmed = await Query(new OrderSummaryQuery(CustomerId: customer, Status: OrderSummaryStatus.Confirmed, Limit: 100));
        var expected = events.Select(OrderSubmittedOrNull).OfType<Shop.Contracts.Orders.OrderSubmitted>()
            .Where(s => s.CustomerId == customer)
            .Where(s => events.Any(e => e.Message is Shop.Contracts.Orders.OrderConfirmed c && c.OrderId == s.OrderId))
            .Select(s => s.OrderId).ToHashSet();
        Assert.NotEmpty(expected);
        Assert.Equal(expected, confirmed.Select(o => o.OrderId).ToHashSet());

        var window = await Query(new OrderSummaryQuery(From: Start.AddMinutes(10), To: Start.AddMinutes(20), Limit: 100));
        Assert.Equal(10, window.Count);
        Assert.All(window, o => Assert.InRange(o.PlacedAt, Start.AddMinutes(10), Start.AddMinutes(19)));

        var pending = await Query(new OrderSummaryQuery(Status: OrderSummaryStatus.PaymentPending, Limit: 100));
        Assert.Equal(8, pending.Count);

        async Task<IReadOnlyList<OrderSummary>> Query(OrderSummaryQuery query) => (await projection.Store.QueryOrdersAsync(query, None)).Items;
    }

    [Fact]
    public async Task Should_find_orders_by_every_word_of_a_product_name_or_the_email()
    {
        var projection = await NewProjection();
        var mug = Order(Guid.NewGuid(), Guid.NewGuid(), Start, Outcome.Confirmed, "ada@example.com", Mug);
        var tee = Order(Guid.NewGuid(), Guid.NewGuid(), Start.AddMinutes(1), Outcome.Confirmed, "grace@example.com", Tee);
        var both = Order(Guid.NewGuid(), Guid.NewGuid(), Start.AddMinutes(2), Outcome.Confirmed, "alan@example.com", Mug, Tee);
        await projection.Apply([.. mug, .. tee, .. both]);

        Assert.Equal([Id(both), Id(mug)], await Search("mug"));
        Assert.Equal([Id(both), Id(mug)], await Search("Ceramic MUG"));
        Assert.Equal([Id(both)], await Search("mug cotton"));
        Assert.Equal([Id(tee)], await Search("grace@example.com"));
        Assert.Equal([Id(both), Id(tee)], await Search("TEE-001"));
        Assert.Empty(await Search("lamp"));

        async Task<List<Guid>> Search(string text) =>
            (await projection.Store.QueryOrdersAsync(new OrderSummaryQuery(Text: text), None)).Items.Select(o => o.OrderId).ToList();
        static Guid Id(List<ProjectedEvent> history) => ReadModelEvents.OrderIdOf(history[0].Message)!.Value;
    }

    [Fact]
    public async Task Should_show_images_with_camera_metadata_but_never_where_they_were_taken()
    {
        var projection = await NewProjection();
        var processed = Guid.NewGuid();
        var pending = Guid.NewGuid();
        var failed = Guid.NewGuid();
        var events = Image(processed, "MUG-001").Concat(Image(pending, "MUG-001", processed: false))
            .Concat(Image(failed, "MUG-001", failed: true)).Concat(Image(Guid.NewGuid(), "TEE-001")).ToList();
        // Thumbnails and metadata before the upload itself.
        await projection.Apply(Enumerable.Reverse(events).ToList());

        var mugs = await projection.Store.QueryImagesAsync(new ProductImageQuery(Sku: "MUG-001"), None);
        Assert.Equal(3, mugs.Count);
        var done = Assert.Single(await projection.Store.QueryImagesAsync(new ProductImageQuery("MUG-001", ProductImageStatus.Processed), None));
        Assert.Equal(processed, done.ImageId);
        Assert.Equal("Canon", done.CameraMake);
        Assert.Equal("EOS R6", done.CameraModel);
        Assert.Equal(new DateTime(2026, 5, 1, 14, 30, 0), done.CapturedAt);
        Assert.Equal([128, 256], done.Thumbnails.Select(t => t.Size));
        var json = JsonSerializer.Serialize(done);
        Assert.DoesNotContain("48.8584", json);
        Assert.DoesNotContain("atitude", json);
        Assert.Equal(ProductImageStatus.Pending, mugs.Single(i => i.ImageId == pending).Status);
        var failure = mugs.Single(i => i.ImageId == failed);
        Assert.Equal(ProductImageStatus.Failed, failure.Status);
        Assert.Equal("decoding took too long", failure.FailureReason);
    }

    [Fact]
    public async Task Should_show_the_latest_verdict_of_the_image_state_machine_whatever_the_order()
    {
        var partial = Guid.NewGuid();
        var reprocessed = Guid.NewGuid();
        var events = ReprocessedImage(partial, "LAMP-001").SkipLast(2).Concat(ReprocessedImage(reprocessed, "LAMP-001")).ToList();
        var inOrder = await NewProjection();
        await inOrder.Apply(events);
        var shuffled = await NewProjection();
        await shuffled.Apply(ShuffledWithCopies(events, seed: 21));

        foreach (var projection in new[] { inOrder, shuffled })
        {
            var lamps = await projection.Store.QueryImagesAsync(new ProductImageQuery(Sku: "LAMP-001"), None);
            var kept = lamps.Single(i => i.ImageId == partial);
            Assert.Equal(ProductImageStatus.PartiallyProcessed, kept.Status);
            Assert.Equal("Thumbnails failed: decoding took too long", kept.FailureReason);
            Assert.Equal("Canon", kept.CameraMake);
            var again = lamps.Single(i => i.ImageId == reprocessed);
            Assert.Equal(ProductImageStatus.Processed, again.Status);
            Assert.Null(again.FailureReason);
            Assert.Equal([128], again.Thumbnails.Select(t => t.Size));
            Assert.Equal([partial], (await projection.Store.QueryImagesAsync(
                new ProductImageQuery("LAMP-001", ProductImageStatus.PartiallyProcessed), None)).Select(i => i.ImageId));
        }
    }

    [Fact]
    public async Task Should_keep_an_image_pending_while_its_verdict_is_ahead_of_the_results_it_judges()
    {
        var projection = await NewProjection();
        var id = Guid.NewGuid();
        var events = Image(id, "LAMP-001");
        var thumbnails = events.Single(e => e.Message is ThumbnailsGenerated);
        var verdict = new ProjectedEvent(Guid.NewGuid(), events[^1].SentAt.AddMilliseconds(50),
            new ImageProcessingCompleted(id, "LAMP-001", "Processed", "Succeeded", null, "Succeeded", null, 1, events[^1].SentAt));

        await projection.Apply([.. events.Where(e => e != thumbnails), verdict]);
        var early = Assert.Single(await projection.Store.QueryImagesAsync(new ProductImageQuery(Sku: "LAMP-001"), None));
        Assert.Equal(ProductImageStatus.Pending, early.Status);
        Assert.Empty(await projection.Store.QueryImagesAsync(new ProductImageQuery("LAMP-001", ProductImageStatus.Processed), None));

        await projection.Apply([thumbnails]);
        var done = Assert.Single(await projection.Store.QueryImagesAsync(new ProductImageQuery("LAMP-001", ProductImageStatus.Processed), None));
        Assert.Equal([128, 256], done.Thumbnails.Select(t => t.Size));
    }

    [Fact]
    public async Task Should_say_when_the_last_event_was_applied()
    {
        var projection = await NewProjection();
        Assert.Equal(new ReadModelFreshness(null, null), await projection.Store.OrdersFreshnessAsync(None));

        var events = Many(3);
        await projection.Apply(events);

        var freshness = await projection.Store.OrdersFreshnessAsync(None);
        var newest = (await projection.Orders(events)).Max(o => o.LastEventAt);
        Assert.Equal(newest, freshness.LastEventAt);
        Assert.True(freshness.LastEventAt >= events.Max(e => e.SentAt.AddSeconds(-1)));
        Assert.NotNull(freshness.LastAppliedAt);
    }

    [Fact]
    public async Task Should_rebuild_from_the_archive_what_the_live_batches_built()
    {
        var archive = Path.Combine(Path.GetTempPath(), "shop-readmodel-archive", Guid.NewGuid().ToString("N"));
        try
        {
            var projection = await NewProjection(archive);
            var events = Many(30).Concat(Image(Guid.NewGuid(), "MUG-001")).ToList();
            // Live: batches with copies and out of order, each archived as it is applied.
            await projection.ApplyInBatches(ShuffledWithCopies(events, seed: 7), 13);
            var expected = (await projection.Orders(events)).Select(Projection.Content).ToList();
            var expectedImages = (await projection.Images(events)).Select(Projection.Content).ToList();

            // The read model goes wrong (a bad deployment, say): one document lost, another overwritten.
            var orders = await projection.Orders(events);
            orders[0].Status = OrderSummaryStatus.Submitted;
            orders[0].Version = 99;
            await projection.Store.WriteAsync([orders[0]], [], None);
            await using (var wipe = await projection.Store.BeginRebuildAsync(None))
                await wipe.SwapAsync(None);
            Assert.Empty(await projection.Orders(events));

            var result = await projection.Rebuilder().RebuildAsync(batchSize: 50);

            Assert.Equal(Directory.GetFiles(archive, "*.gz", SearchOption.AllDirectories).Length, result.ArchivedBatches);
            Assert.True(result.ArchivedBatches > 1);
            Assert.All(Directory.GetFiles(archive, "*.gz", SearchOption.AllDirectories),
                file => Assert.Matches(@"archive[\\/]events[\\/]\d{4}[\\/]\d{2}[\\/]\d{2}[\\/]\d{2}[\\/][0-9a-z-]+\.gz$", file));
            Assert.True(result.Events > events.Count);
            Assert.Equal(expected, (await projection.Orders(events)).Select(Projection.Content));
            Assert.Equal(expectedImages, (await projection.Images(events)).Select(Projection.Content));
        }
        finally
        {
            Directory.Delete(archive, recursive: true);
        }
    }

    [Fact]
    public async Task Should_show_the_old_read_model_until_a_rebuild_is_swapped_in()
    {
        var projection = await NewProjection();
        var old = Many(3);
        await projection.Apply(old);
        var replacement = Order(Guid.NewGuid(), Guid.NewGuid(), Start.AddDays(1), Outcome.Confirmed);

        await using (var rebuild = await projection.Store.BeginRebuildAsync(None))
        {
            await projection.Projector.ProjectAsync(rebuild, replacement, None);
            Assert.Equal(3, (await projection.Store.QueryOrdersAsync(new OrderSummaryQuery(), None)).Items.Count);

            await rebuild.SwapAsync(None);
        }

        var now = (await projection.Store.QueryOrdersAsync(new OrderSummaryQuery(), None)).Items;
        Assert.Equal(ReadModelEvents.OrderIdOf(replacement[0].Message), Assert.Single(now).OrderId);
    }

    [Fact]
    public async Task Should_drop_a_rebuild_that_is_not_swapped_in()
    {
        var projection = await NewProjection();
        var old = Many(3);
        await projection.Apply(old);

        await using (var rebuild = await projection.Store.BeginRebuildAsync(None))
            await projection.Projector.ProjectAsync(rebuild, Many(2), None);

        Assert.Equal(3, (await projection.Store.QueryOrdersAsync(new OrderSummaryQuery(), None)).Items.Count);
    }

    static Shop.Contracts.Orders.OrderSubmitted OrderSubmitted(ProjectedEvent evt) => (Shop.Contracts.Orders.OrderSubmitted)evt.Message;
    static Shop.Contracts.Orders.OrderSubmitted? OrderSubmittedOrNull(ProjectedEvent evt) => evt.Message as Shop.Contracts.Orders.OrderSubmitted;
}

[Trait("Category", "NoTransport")]
public sealed class When_the_read_model_is_in_PostgreSQL(PostgresStores stores) : ReadModelStoreContract<PostgresStores>(stores);

[Trait("Category", "NoTransport")]
public sealed class When_the_read_model_is_in_SQLite(SqliteStores stores) : ReadModelStoreContract<SqliteStores>(stores);

/// <summary>
/// On the real server <c>SHOP_TEST_ELASTICSEARCH</c> names, or else on the peer in tests/ElasticsearchPeer (see
/// <see cref="ElasticsearchStores"/>): scripts/test.sh says which.
/// </summary>
[Trait("Category", "NoTransport")]
public sealed class When_the_read_model_is_in_Elasticsearch(ElasticsearchStores stores) : ReadModelStoreContract<ElasticsearchStores>(stores);
