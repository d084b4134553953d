using Shop.Hosting.Lambda.Tests.Infrastructure;
using Shop.Testing;

namespace Shop.Hosting.Lambda.Tests;

/// <summary>
/// The Images worker as a Lambda function: GenerateThumbnails commands our transport sent on fauxqs (as the image saga does), taken off the
/// worker's thumbnail queue as SQS records and handed to it by a Runtime API peer; the originals are in its blob storage,
/// and the worker's own receive pipeline (inbox, consumer, outbox, retry, <c>_error</c>) renders the thumbnails.
/// </summary>
public sealed class ImagesOnLambdaTests(ImagesFunction function) : IClassFixture<ImagesFunction>
{
    static readonly TimeSpan Plenty = TimeSpan.FromMinutes(2);

    Task<int> GeneratedFor(Guid imageId) => Task.FromResult(function.Generated.Count(g => g.ImageId == imageId));

    /// <summary>Every thumbnail the worker announced for the image is in its blob storage.</summary>
    async Task AssertRendered(Guid imageId)
    {
        var announced = function.Generated.First(g => g.ImageId == imageId).Thumbnails;
        Assert.NotEmpty(announced);
        foreach (var thumbnail in announced)
            Assert.True(await function.Blobs.ExistsAsync(thumbnail.BlobKey), $"{thumbnail.BlobKey} is not in blob storage");
    }

    [Fact]
    public async Task When_one_record_of_ten_is_poison_should_return_exactly_that_one_and_render_the_others()
    {
        var uploads = new List<Contracts.Images.GenerateThumbnails>();
        for (var i = 0; i < 10; i++)
            uploads.Add(await function.Upload());
        var records = await function.ProduceRecords(uploads);
        var poisoned = uploads[4];
        var poison = ImagesFunction.RecordOf(records, poisoned.ImageId);
        WorkerFunction.PointBodyAtNothing(poison);

        var result = await function.Runtime.InvokeAsync(WorkerFunction.Event(records), Plenty);

        Assert.Equal([WorkerFunction.Id(poison)], WorkerFunction.Failures(result));
        Assert.Empty(function.ThumbnailFiles(poisoned.ImageId));
        await Eventually.Returns(() => Task.FromResult(uploads.Count(u => function.Generated.Any(g => g.ImageId == u.ImageId))),
            n => n >= 9, "a ThumbnailsGenerated for each of the nine readable records");
        Assert.DoesNotContain(function.Generated, g => g.ImageId == poisoned.ImageId);
        foreach (var uploaded in uploads.Where(u => u != poisoned))
            await AssertRendered(uploaded.ImageId);
    }

    [Fact]
    public async Task When_the_original_is_not_an_image_should_move_the_record_to_the_error_queue_and_not_return_it()
    {
        // The consumer rejects it (InvalidImageException): on ECS that is a fault and _error; returned as well, Lambda
        // would deliver it again and the pipeline would park it a second time.
        var garbage = await function.Upload("this is not a picture at all"u8.ToArray());
        var valid = await function.Upload();
        var records = await function.ProduceRecords([garbage, valid]);

        var result = await function.Runtime.InvokeAsync(WorkerFunction.Event(records), Plenty);

        Assert.Empty(WorkerFunction.Failures(result));
        var errors = await Eventually.Returns(function.TakeErrors, bodies => bodies.Any(b => b.Contains(garbage.ImageId.ToString())),
            "the rejected command in generate-thumbnails_error");
        Assert.Single(errors, b => b.Contains(garbage.ImageId.ToString()));
        Assert.Empty(function.ThumbnailFiles(garbage.ImageId));
        await Eventually.Returns(() => GeneratedFor(valid.ImageId), n => n >= 1, "the ThumbnailsGenerated of the valid image");
        await AssertRendered(valid.ImageId);
    }

    [Fact]
    public async Task When_a_record_comes_twice_should_render_the_thumbnails_once()
    {
        var uploaded = await function.Upload();
        var record = (await function.ProduceRecords([uploaded])).Single();

        var first = await function.Runtime.InvokeAsync(WorkerFunction.Event([record]), Plenty);
        var rendered = function.ThumbnailFiles(uploaded.ImageId);
        var again = await function.Runtime.InvokeAsync(WorkerFunction.Event([record, record]), Plenty);

        Assert.Empty(WorkerFunction.Failures(first));
        Assert.Empty(WorkerFunction.Failures(again));
        await Eventually.Returns(() => GeneratedFor(uploaded.ImageId), n => n >= 1, "the ThumbnailsGenerated of the image");
        await AssertRendered(uploaded.ImageId);
        // The inbox knew the message: not a file was written again.
        Assert.Equal(rendered, function.ThumbnailFiles(uploaded.ImageId));
        Assert.Single(function.Generated, g => g.ImageId == uploaded.ImageId);
    }
}
