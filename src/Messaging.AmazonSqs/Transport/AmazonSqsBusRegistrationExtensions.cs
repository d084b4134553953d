using MassTransit;
using Shop.Messaging.AmazonSqs.Transport.Configuration;

namespace Shop.Messaging.AmazonSqs.Transport;

public static class AmazonSqsBusRegistrationExtensions
{
    /// <summary>Selects our SQS/SNS transport for the bus, the way <c>UsingRabbitMq</c> selects RabbitMQ.</summary>
    public static void UsingShopAmazonSqs(this IBusRegistrationConfigurator configurator, AmazonSqsTransportOptions options,
        Action<IBusRegistrationContext, AmazonSqsBusFactoryConfigurator>? configure = null) =>
        configurator.SetBusFactory(new AmazonSqsRegistrationBusFactory(options, configure));
}
