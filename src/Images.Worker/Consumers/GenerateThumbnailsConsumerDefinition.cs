using MassTransit;
using Microsoft.Extensions.Options;

namespace Shop.Images.Worker.Consumers;

public sealed class GenerateThumbnailsConsumerDefinition : ConsumerDefinition<GenerateThumbnailsConsumer>
{
    public GenerateThumbnailsConsumerDefinition(IOptions<ImageProcessingOptions> options)
    {
        // Decoding is CPU and memory bound: a few at a time, whatever the prefetch.
        ConcurrentMessageLimit = options.Value.ConcurrentImages;
    }
}
