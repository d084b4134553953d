using System.Globalization;
using System.Text;
using MassTransit;
using MassTransit.RabbitMqTransport;
using RabbitMQ.Client;

namespace Shop.Messaging;

/// <summary>
/// Counts, on a RabbitMQ classic queue, the deliveries of a message that ended without a result. The broker only flags
/// such a delivery as redelivered; it does not count. So a redelivered message is published once more to its own queue
/// (through the default exchange, so no other subscriber sees it) with the count in a header, and the redelivery is
/// acknowledged: the count then travels with the message and survives any number of process deaths. Messages that are
/// not redelivered, nearly all of them, cost nothing. A death between the publish and the acknowledgement leaves two
/// copies with the same message id, which the inbox tells apart.
/// </summary>
public static class ClassicQueueRedelivery
{
    public const string EarlierDeliveriesHeader = "Shop-Earlier-Deliveries";

    /// <summary>A redelivery on a classic RabbitMQ queue, not yet counted (a quorum queue counts by itself).</summary>
    public static bool IsUncounted(ReceiveContext context) =>
        context.Redelivered
        && context.TryGetPayload<RabbitMqBasicConsumeContext>(out _)
        && !context.TransportHeaders.TryGetHeader(DeliveryLimitFilter.RabbitMqDeliveryCountHeader, out _);

    /// <summary>The deliveries counted so far by earlier re-publications; 0 for a message never re-published.</summary>
    public static long EarlierDeliveries(ReceiveContext context)
    {
        if (!context.TryGetPayload<RabbitMqBasicConsumeContext>(out var rabbit)
            || rabbit.Properties.Headers is not { } headers
            || !headers.TryGetValue(EarlierDeliveriesHeader, out var value))
            return 0;

        // Integers come back as integers; a header set by another client as text comes back as bytes.
        var text = value switch
        {
            byte[] bytes => Encoding.UTF8.GetString(bytes),
            _ => Convert.ToString(value, CultureInfo.InvariantCulture),
        };
        return long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var count) && count > 0 ? count : 0;
    }

    /// <summary>
    /// Publishes the message (body, properties and headers as received) to the tail of the queue it came from, with
    /// <paramref name="earlierDeliveries"/> in its header, and waits for the broker's confirmation. The caller then lets
    /// the delivery in hand complete, which acknowledges it.
    /// </summary>
    public static async Task Requeue(ReceiveContext context, long earlierDeliveries)
    {
        if (!context.TryGetPayload<RabbitMqBasicConsumeContext>(out var rabbit) || !context.TryGetPayload<ChannelContext>(out var channel))
            throw new InvalidOperationException("Only a message received from RabbitMQ can be re-published to its queue.");

        var properties = new BasicProperties(rabbit.Properties);
        properties.Headers = properties.Headers is null
            ? new Dictionary<string, object?>(StringComparer.OrdinalIgnoreCase)
            : new Dictionary<string, object?>(properties.Headers, StringComparer.OrdinalIgnoreCase);
        properties.Headers[EarlierDeliveriesHeader] = earlierDeliveries;

        await channel.BasicPublishAsync("", QueueName(context.InputAddress), mandatory: true, properties, context.GetBody(), awaitAck: true,
            context.CancellationToken);
    }

    /// <summary>A receive endpoint's input address ends with its queue's name (<c>rabbitmq://host/vhost/queue</c>).</summary>
    static string QueueName(Uri inputAddress) => Uri.UnescapeDataString(inputAddress.AbsolutePath.TrimEnd('/').Split('/')[^1]);
}
