using MassTransit;
using Shop.Cli.Configuration;
using Shop.Messaging.AmazonSqs.Topology;

namespace Shop.Cli.Messages;

/// <summary>Where a message goes on the configured transport, named as the broker's own tools show it.</summary>
public sealed class MessageTopology(BusConnection connection)
{
    static readonly MassTransit.Transports.IMessageNameFormatter RabbitMqNames = new MassTransit.RabbitMqTransport.RabbitMqMessageNameFormatter();

    readonly AmazonSqsEntityNames _sqsNames = new(connection.Options.AmazonSqs.Prefix);

    public string Destination(MessageDescriptor message) => message.Kind switch
    {
        MessageKind.Command => $"queue {Queue(message.Endpoint!)}",
        _ when connection.IsAmazonSqs => $"topic {_sqsNames.Topic(message.Type)}",
        _ => $"exchange {RabbitMqNames.GetMessageName(message.Type)}",
    };

    public string Queue(string endpoint) => connection.IsAmazonSqs ? _sqsNames.Queue(endpoint) : endpoint;
}
