using MassTransit;
using MassTransit.Testing;
using Shop.Contracts.Images;
using Shop.ProductImages.StateMachines;
using Xunit;

namespace Shop.Images.Tests.StateMachines;

[Trait("Category", "NoTransport")]
public sealed class When_an_image_is_uploaded
{
    [Fact]
    public async Task Should_send_each_branch_its_command_and_schedule_its_timeout()
    {
        await using var spec = await ImageSagaSpec.Start();

        var upload = await spec.Processing();

        var saga = await spec.InState(upload.ImageId, m => m.Processing);
        var thumbnails = await spec.Harness.SentMessage<GenerateThumbnails>(m => m.ImageId == upload.ImageId);
        var metadata = await spec.Harness.SentMessage<ExtractImageMetadata>(m => m.ImageId == upload.ImageId);
        Assert.Equal((upload.BlobKey, upload.Format, upload.SizeBytes, 1), (thumbnails.BlobKey, thumbnails.Format, thumbnails.SizeBytes, thumbnails.Attempt));
        Assert.Equal((upload.BlobKey, 1), (metadata.BlobKey, metadata.Attempt));
        Assert.NotNull(saga.ThumbnailsTimeoutTokenId);
        Assert.NotNull(saga.MetadataTimeoutTokenId);
        Assert.Equal((BranchState.Running, BranchState.Running), (saga.ThumbnailsState, saga.MetadataState));
    }

    [Fact]
    public async Task Should_start_one_process_when_the_upload_arrives_twice()
    {
        await using var spec = await ImageSagaSpec.Start();
        var upload = await spec.Processing();

        await spec.Answer(upload);

        Assert.Equal(1, spec.Harness.SentCount<GenerateThumbnails>(m => m.ImageId == upload.ImageId));
        Assert.Equal(1, spec.Harness.SentCount<ExtractImageMetadata>(m => m.ImageId == upload.ImageId));
    }
}

[Trait("Category", "NoTransport")]
public sealed class When_both_branches_answer
{
    [Theory]
    [InlineData("thumbnails first")]
    [InlineData("metadata first")]
    public async Task Should_be_processed_exactly_once_in_either_order(string order)
    {
        await using var spec = await ImageSagaSpec.Start();
        var upload = await spec.Processing();
        var id = upload.ImageId;

        if (order == "thumbnails first")
        {
            await spec.Answer(ImageSagaSpec.Thumbnails(id));
            await spec.InState(id, m => m.Processing);
            await spec.Answer(ImageSagaSpec.Metadata(id));
        }
        else
        {
            await spec.Answer(ImageSagaSpec.Metadata(id));
            await spec.InState(id, m => m.Processing);
            await spec.Answer(ImageSagaSpec.Thumbnails(id));
        }

        var saga = await spec.InState(id, m => m.Processed);
        Assert.Equal((BranchState.Succeeded, BranchState.Succeeded), (saga.ThumbnailsState, saga.MetadataState));
        Assert.Null(saga.ThumbnailsTimeoutTokenId);
        Assert.Null(saga.MetadataTimeoutTokenId);
        Assert.Equal(1, spec.Completions(id));
        var completed = spec.Harness.Published.Select<ImageProcessingCompleted>(x => x.Context.Message.ImageId == id).Single().Context.Message;
        Assert.Equal(("Processed", upload.Sku, 1), (completed.Status, completed.Sku, completed.Run));
        Assert.Equal("Processed", spec.Recorder.Of(id)[^1]);
        Assert.Null(spec.Recorder.LastReasonOf(id));
    }

    [Theory]
    [InlineData("thumbnails first")]
    [InlineData("metadata first")]
    public async Task Should_ignore_a_duplicate_of_each_answer(string order)
    {
        await using var spec = await ImageSagaSpec.Start();
        var id = (await spec.Processing()).ImageId;
        var thumbnails = ImageSagaSpec.Thumbnails(id);
        var metadata = ImageSagaSpec.Metadata(id);

        if (order == "thumbnails first")
        {
            await spec.Answer(thumbnails);
            await spec.Answer(thumbnails);
            await spec.Answer(metadata);
            await spec.Answer(metadata);
        }
        else
        {
            await spec.Answer(metadata);
            await spec.Answer(metadata);
            await spec.Answer(thumbnails);
            await spec.Answer(thumbnails);
        }

        await spec.Answer(thumbnails);
        await spec.Answer(metadata);
        await spec.InState(id, m => m.Processed);
        Assert.Equal(1, spec.Completions(id));
        Assert.Equal(1, spec.Recorder.Of(id).Count(e => e == "Processed"));
        Assert.Equal(1, spec.Recorder.Of(id).Count(e => e == "thumbnails"));
        Assert.Equal(1, spec.Recorder.Of(id).Count(e => e == "metadata"));
    }
}

[Trait("Category", "NoTransport")]
public sealed class When_one_branch_faults_after_its_retries
{
    /// <summary>The thumbnail worker as a consumer that always throws: MassTransit publishes the real Fault&lt;GenerateThumbnails&gt;.</summary>
    public sealed class BrokenThumbnails : IConsumer<GenerateThumbnails>
    {
        public Task Consume(ConsumeContext<GenerateThumbnails> context) =>
            throw new InvalidOperationException("The image could not be read while rendering thumbnails: boom.");
    }

    public sealed class BrokenMetadata : IConsumer<ExtractImageMetadata>
    {
        public Task Consume(ConsumeContext<ExtractImageMetadata> context) =>
            throw new InvalidOperationException("The image carries 5000 metadata tags, over the limit of 4096.");
    }

    /// <summary>Throws only once the saga has the metadata, so the fault is the second answer.</summary>
    public sealed class LateBrokenThumbnails(ITestHarness harness) : IConsumer<GenerateThumbnails>
    {
        public async Task Consume(ConsumeContext<GenerateThumbnails> context)
        {
            await harness.Consumed.Any<ImageMetadataExtracted>(x => x.Context.Message.ImageId == context.Message.ImageId);
            throw new InvalidOperationException("The image could not be read while rendering thumbnails: boom.");
        }
    }

    [Theory]
    [InlineData("fault first")]
    [InlineData("metadata first")]
    public async Task Should_keep_the_metadata_and_be_partially_processed_with_the_reason(string order)
    {
        await using var spec = await ImageSagaSpec.Start(configure: x =>
        {
            if (order == "fault first")
                x.AddConsumer<BrokenThumbnails>().Endpoint(e => e.Name = "generate-thumbnails");
            else
                x.AddConsumer<LateBrokenThumbnails>().Endpoint(e => e.Name = "generate-thumbnails");
        });
        var upload = ImageSagaSpec.NewUpload();
        var id = upload.ImageId;
        await spec.Harness.Bus.Publish(upload);
        if (order == "fault first")
        {
            Assert.True(await spec.Saga.Consumed.Any<Fault<GenerateThumbnails>>(x => x.Context.Message.Message.ImageId == id));
            await spec.InState(id, m => m.Processing);
        }

        await spec.Answer(ImageSagaSpec.Metadata(id));

        var saga = await spec.InState(id, m => m.PartiallyProcessed);
        Assert.Equal((BranchState.Failed, BranchState.Succeeded), (saga.ThumbnailsState, saga.MetadataState));
        Assert.Contains("boom", saga.ThumbnailsReason);
        Assert.Contains("metadata", spec.Recorder.Of(id));
        Assert.Equal("PartiallyProcessed", spec.Recorder.Of(id)[^1]);
        Assert.Contains("Thumbnails failed", spec.Recorder.LastReasonOf(id));
        Assert.Equal(1, spec.Completions(id));
        var completed = spec.Harness.Published.Select<ImageProcessingCompleted>(x => x.Context.Message.ImageId == id).Single().Context.Message;
        Assert.Equal(("PartiallyProcessed", "Failed", "Succeeded"), (completed.Status, completed.ThumbnailsState, completed.MetadataState));
    }

    [Fact]
    public async Task Should_fail_the_image_when_the_other_branch_faults_too()
    {
        await using var spec = await ImageSagaSpec.Start(configure: x =>
        {
            x.AddConsumer<BrokenThumbnails>().Endpoint(e => e.Name = "generate-thumbnails");
            x.AddConsumer<BrokenMetadata>().Endpoint(e => e.Name = "extract-image-metadata");
        });
        var upload = ImageSagaSpec.NewUpload();

        await spec.Harness.Bus.Publish(upload);

        var saga = await spec.InState(upload.ImageId, m => m.Failed);
        Assert.Contains("boom", saga.ThumbnailsReason);
        Assert.Contains("metadata tags", saga.MetadataReason);
        Assert.Equal(1, spec.Completions(upload.ImageId));
    }
}

[Trait("Category", "NoTransport")]
public sealed class When_a_branch_does_not_answer_in_time
{
    [Fact]
    public async Task Should_time_that_branch_out_keep_the_other_and_take_a_late_answer_after_all()
    {
        await using var spec = await ImageSagaSpec.Start(metadataTimeout: TimeSpan.FromMilliseconds(500));
        var id = (await spec.Processing()).ImageId;
        await spec.Answer(ImageSagaSpec.Thumbnails(id));

        var saga = await spec.InState(id, m => m.PartiallyProcessed);

        Assert.Equal((BranchState.Succeeded, BranchState.TimedOut), (saga.ThumbnailsState, saga.MetadataState));
        Assert.Contains("No metadata within", saga.MetadataReason);
        Assert.Equal(1, spec.Completions(id));

        // The worker was slow, not dead: its answer still counts.
        await spec.Answer(ImageSagaSpec.Metadata(id));
        saga = await spec.InState(id, m => m.Processed);
        Assert.Null(saga.MetadataReason);
        Assert.Equal(2, spec.Completions(id));
        Assert.Equal(2, saga.Run);
    }

    [Fact]
    public async Task Should_not_time_out_a_branch_that_answered()
    {
        await using var spec = await ImageSagaSpec.Start(thumbnailsTimeout: TimeSpan.FromSeconds(2));
        var id = (await spec.Processing()).ImageId;
        await spec.Answer(ImageSagaSpec.Thumbnails(id));
        var saga = await spec.InState(id, m => m.Processing);
        Assert.Null(saga.ThumbnailsTimeoutTokenId);

        // A timer that fires anyway (a scheduler that could not cancel it in time) changes nothing.
        await spec.Answer(new ThumbnailsTimedOut(id, 1));
        await spec.Answer(ImageSagaSpec.Metadata(id));

        saga = await spec.InState(id, m => m.Processed);
        Assert.Equal(BranchState.Succeeded, saga.ThumbnailsState);
    }

    [Fact]
    public async Task Should_take_a_late_answer_while_the_other_branch_still_runs()
    {
        await using var spec = await ImageSagaSpec.Start(thumbnailsTimeout: TimeSpan.FromMilliseconds(300));
        var id = (await spec.Processing()).ImageId;
        await Shop.Testing.Eventually.Returns(() => Task.FromResult(spec.Saga.Sagas.Contains(id)?.ThumbnailsState),
            state => state == BranchState.TimedOut, "the thumbnails to time out");

        await spec.Answer(ImageSagaSpec.Thumbnails(id));
        await spec.Answer(ImageSagaSpec.Metadata(id));

        var saga = await spec.InState(id, m => m.Processed);
        Assert.Equal(1, spec.Completions(id));
        Assert.Equal(1, saga.Run);
    }
}

[Trait("Category", "NoTransport")]
public sealed class When_an_image_is_reprocessed
{
    [Fact]
    public async Task Should_run_only_the_failed_branch_again_and_ignore_answers_to_the_earlier_run()
    {
        await using var spec = await ImageSagaSpec.Start(thumbnailsTimeout: TimeSpan.FromMilliseconds(500));
        var id = (await spec.Processing()).ImageId;
        await spec.Answer(ImageSagaSpec.Metadata(id));
        await spec.InState(id, m => m.PartiallyProcessed);

        await spec.Answer(new ReprocessImage(id, ReprocessImage.Failed, DateTime.UtcNow));

        var saga = await spec.InState(id, m => m.Processing);
        Assert.Equal((2, 1), (saga.ThumbnailsAttempt, saga.MetadataAttempt));
        Assert.Equal(BranchState.Succeeded, saga.MetadataState);
        await spec.Harness.SentMessage<GenerateThumbnails>(m => m.ImageId == id && m.Attempt == 2);
        Assert.Equal(1, spec.Harness.SentCount<ExtractImageMetadata>(m => m.ImageId == id));
        Assert.Equal("Pending", spec.Recorder.Of(id)[^1]);

        // Asking again while it runs changes nothing; an answer to the first run is not this run's.
        await spec.Answer(new ReprocessImage(id, ReprocessImage.All, DateTime.UtcNow));
        await spec.Answer(ImageSagaSpec.Thumbnails(id, attempt: 1));
        await spec.InState(id, m => m.Processing);
        Assert.Equal(2, spec.Harness.SentCount<GenerateThumbnails>(m => m.ImageId == id));

        await spec.Answer(ImageSagaSpec.Thumbnails(id, attempt: 2));
        saga = await spec.InState(id, m => m.Processed);
        Assert.Equal(2, spec.Completions(id));
        Assert.Equal(2, saga.Run);
    }

    [Fact]
    public async Task Should_run_both_branches_for_scope_all_and_nothing_for_failed_when_nothing_failed()
    {
        await using var spec = await ImageSagaSpec.Start();
        var id = (await spec.Processing()).ImageId;
        await spec.Answer(ImageSagaSpec.Thumbnails(id));
        await spec.Answer(ImageSagaSpec.Metadata(id));
        await spec.InState(id, m => m.Processed);

        await spec.Answer(new ReprocessImage(id, ReprocessImage.Failed, DateTime.UtcNow));
        await spec.InState(id, m => m.Processed);
        Assert.Equal(1, spec.Harness.SentCount<GenerateThumbnails>(m => m.ImageId == id));

        await spec.Answer(new ReprocessImage(id, ReprocessImage.All, DateTime.UtcNow));
        await spec.InState(id, m => m.Processing);
        await spec.Harness.SentMessage<GenerateThumbnails>(m => m.ImageId == id && m.Attempt == 2);
        await spec.Harness.SentMessage<ExtractImageMetadata>(m => m.ImageId == id && m.Attempt == 2);

        // Either order again, and the join waits for both.
        await spec.Answer(ImageSagaSpec.Metadata(id, attempt: 2));
        await spec.InState(id, m => m.Processing);
        await spec.Answer(ImageSagaSpec.Thumbnails(id, attempt: 2));
        await spec.InState(id, m => m.Processed);
        Assert.Equal(2, spec.Completions(id));
    }
}

[Trait("Category", "NoTransport")]
public sealed class When_the_thumbnails_show_only_part_of_the_picture
{
    [Fact]
    public async Task Should_be_partially_processed_with_the_thumbnails_kept_and_the_reason()
    {
        await using var spec = await ImageSagaSpec.Start();
        var id = (await spec.Processing()).ImageId;

        await spec.Answer(ImageSagaSpec.Thumbnails(id, partial: "The JPEG ends inside its image data (the file is truncated)."));
        await spec.Answer(ImageSagaSpec.Metadata(id));

        var saga = await spec.InState(id, m => m.PartiallyProcessed);
        Assert.Equal(BranchState.Partial, saga.ThumbnailsState);
        Assert.Contains("thumbnails", spec.Recorder.Of(id));
        Assert.Contains("Thumbnails partial: The JPEG ends inside", spec.Recorder.LastReasonOf(id));
    }
}
