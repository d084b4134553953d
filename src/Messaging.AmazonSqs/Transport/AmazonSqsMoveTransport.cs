using MassTransit;
using MassTransit.Transports;
using Shop.Messaging.AmazonSqs.Topology;

namespace Shop.Messaging.AmazonSqs.Transport;

/// <summary>
/// Moves a received message to another queue: the body as it arrived (a claim-checked body keeps its reference) with
/// its attributes, plus the headers saying why.
/// </summary>
public abstract class AmazonSqsMoveTransport(AmazonSqsTransportContext transport, SqsQueue queue)
{
    protected Task Move(ReceiveContext context, IEnumerable<KeyValuePair<string, object>> extra)
    {
        var received = context.GetPayload<AmazonSqsReceiveContext>();
        return Move(transport, queue, received.TransportMessage, received.Headers, extra);
    }

    /// <summary>
    /// Sends <paramref name="message"/> on to <paramref name="queue"/> as it arrived, with <paramref name="headers"/> and
    /// <paramref name="extra"/> as attributes; also for a message the transport could not turn into a receive context.
    /// </summary>
    internal static Task Move(AmazonSqsTransportContext transport, SqsQueue queue, Amazon.SQS.Model.Message message,
        IEnumerable<KeyValuePair<string, string>> headers, IEnumerable<KeyValuePair<string, object>> extra)
    {
        var attributes = SqsTransportHeaders.ToAttributes(headers, extra, transport.Options.PackHeaders);
        var fifo = AmazonSqsEntityNames.IsFifo(queue.Name);
        var groupId = message.Attributes?.GetValueOrDefault("MessageGroupId");
        return transport.Sender(queue).SendAsync(new SqsOutgoingMessage(message.Body ?? "", attributes, null,
            fifo ? groupId ?? "default" : null, fifo ? message.MessageId : null), CancellationToken.None);
    }
}

/// <summary>Faulted messages go to the endpoint's <c>_error</c> queue with the exception headers.</summary>
public sealed class AmazonSqsErrorTransport(AmazonSqsTransportContext transport, SqsQueue queue)
    : AmazonSqsMoveTransport(transport, queue), IErrorTransport
{
    public Task Send(ExceptionReceiveContext context) => Move(context, context.ExceptionHeaders.GetAll());
}

/// <summary>Messages no consumer of the endpoint takes go to its <c>_skipped</c> queue with the reason.</summary>
public sealed class AmazonSqsDeadLetterTransport(AmazonSqsTransportContext transport, SqsQueue queue)
    : AmazonSqsMoveTransport(transport, queue), IDeadLetterTransport
{
    public Task Send(ReceiveContext context, string reason) =>
        Move(context, [new KeyValuePair<string, object>(MessageHeaders.Reason, reason ?? "Unspecified")]);
}
