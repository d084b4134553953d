using MassTransit;
using Shop.Cli.Configuration;
using Shop.Messaging.AmazonSqs.Topology;

namespace Shop.Cli.Messages;

/// <summary>Where a message goes on the configured transport, named as the broker's own tools show it.</summary>
public sealed class MessageTopology(BusConnection connection)
{
    static readonly MassTransit.Transports.IMessageNameFormatter RabbitMqNames = new MassTransit.RabbitMqTransport.RabbitMqMessageNameFormatter();

    // The bus's own naming (prefix, scope, ScopeTopics, FIFO topics), so the CLI shows the names the services use.
    readonly AmazonSqsEntityNames _sqsNames = connection.Options.AmazonSqs.Names();

    public string Destination(MessageDescriptor message) => message.Kind switch
    {
        MessageKind.Command => $"queue {Queue(message.Endpoint!)}",
        _ when connection.IsAmazonSqs => $"topic {_sqsNames.Topic(message.Type)}",
        _ => $"exchange {RabbitMqNames.GetMessageName(message.Type)}",
    };

    public string Queue(string endpoint) => connection.IsAmazonSqs ? _sqsNames.Queue(endpoint) : endpoint;
}
