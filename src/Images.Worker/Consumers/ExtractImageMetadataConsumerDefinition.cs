using MassTransit;
using Microsoft.Extensions.Options;

namespace Shop.Images.Worker.Consumers;

public sealed class ExtractImageMetadataConsumerDefinition : ConsumerDefinition<ExtractImageMetadataConsumer>
{
    public ExtractImageMetadataConsumerDefinition(IOptions<ImageProcessingOptions> options)
    {
        ConcurrentMessageLimit = options.Value.ConcurrentImages;
    }
}
