using MassTransit;
using Shop.Contracts.Images;
using Shop.ReadModel.Projections;

namespace Shop.Search.Worker.Consumers;

/// <summary>
/// Projects the image pipeline's events, the image state machine's verdicts and (from before the state machine) the
/// faults of <c>ImageUploaded</c> into the product image documents.
/// </summary>
public sealed class ProductImageProjectionConsumer(ProjectionBatchHandler handler) :
    IConsumer<Batch<ImageUploaded>>,
    IConsumer<Batch<ThumbnailsGenerated>>,
    IConsumer<Batch<ImageMetadataExtracted>>,
    IConsumer<Batch<ImageProcessingCompleted>>,
    IConsumer<Batch<Fault<ImageUploaded>>>
{
    public Task Consume(ConsumeContext<Batch<ImageUploaded>> context) => handler.Handle(context);
    public Task Consume(ConsumeContext<Batch<ThumbnailsGenerated>> context) => handler.Handle(context);
    public Task Consume(ConsumeContext<Batch<ImageMetadataExtracted>> context) => handler.Handle(context);
    public Task Consume(ConsumeContext<Batch<ImageProcessingCompleted>> context) => handler.Handle(context);

    public Task Consume(ConsumeContext<Batch<Fault<ImageUploaded>>> context) =>
        handler.Handle(context, fault => new ImageProcessingFailed(fault.Message.ImageId,
            fault.Exceptions?.FirstOrDefault()?.Message is { Length: > 0 } reason ? reason : "Processing failed."));
}
