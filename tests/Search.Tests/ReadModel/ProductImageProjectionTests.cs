using Shop.Contracts.Images;
using Shop.ReadModel.Documents;
using Shop.ReadModel.Projections;

namespace Shop.Search.Tests.ReadModel;

public sealed class When_an_image_document_was_written_before_verdicts_kept_their_status
{
    [Fact]
    public void Should_keep_its_verdict_when_a_late_result_arrives()
    {
        // The earlier layout of Version: the facts below bit 8 and the verdict's run above, the verdict itself in Status.
        var image = new ProductImageDocument
        {
            ImageId = Guid.NewGuid(),
            Status = ProductImageStatus.PartiallyProcessed,
            FailureReason = "Thumbnails failed: decoding took too long",
            Version = (1 << 8) | (int)(ProductImageFacts.Uploaded | ProductImageFacts.Metadata),
        };
        var late = new ThumbnailsGenerated(image.ImageId, [new GeneratedThumbnail(128, "webp", "thumbnails/x/128.webp", 128, 85, "image/webp")],
            Attempt: 2);

        Assert.True(ProductImageProjection.Apply(image, new ProjectedEvent(Guid.NewGuid(), DateTime.UtcNow, late), DateTime.UtcNow));

        Assert.Equal(ProductImageStatus.PartiallyProcessed, image.Status);
        Assert.Equal([128], image.Thumbnails.Select(t => t.Size));
    }
}
