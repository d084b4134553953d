using MassTransit;
using Microsoft.Extensions.Options;

namespace Shop.Images.Worker.Consumers;

/// <summary>
/// The endpoint of the bucket's notifications: named after the queue the bucket writes to, reading AWS's plain JSON
/// whatever its content type (SQS messages from S3 carry none), and bound to nothing on the bus, since no service
/// publishes these events.
/// </summary>
public sealed class S3UploadNotificationConsumerDefinition : ConsumerDefinition<S3UploadNotificationConsumer>
{
    public S3UploadNotificationConsumerDefinition(IOptions<ImageProcessingOptions> options)
    {
        EndpointName = options.Value.UploadNotifications.QueueName;
    }

    protected override void ConfigureConsumer(IReceiveEndpointConfigurator endpointConfigurator,
        IConsumerConfigurator<S3UploadNotificationConsumer> consumerConfigurator, IRegistrationContext context)
    {
        endpointConfigurator.ConfigureConsumeTopology = false;
        endpointConfigurator.UseRawJsonDeserializer(RawSerializerOptions.AnyMessageType, isDefault: true);
    }
}
