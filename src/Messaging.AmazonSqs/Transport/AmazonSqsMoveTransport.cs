using MassTransit;
using MassTransit.Transports;

namespace Shop.Messaging.AmazonSqs.Transport;

/// <summary>
/// Moves a received message to the endpoint's <c>_error</c> or <c>_skipped</c> queue: the body as it arrived (a
/// claim-checked body keeps its reference) with its attributes, plus the fault or skip headers.
/// </summary>
public sealed class AmazonSqsMoveTransport(AmazonSqsTransportContext transport, Topology.SqsQueue queue)
    : IErrorTransport, IDeadLetterTransport
{
    public Task Send(ExceptionReceiveContext context) => Move(context, context.ExceptionHeaders.GetAll());

    public Task Send(ReceiveContext context, string reason) =>
        Move(context, [new KeyValuePair<string, object>(MessageHeaders.Reason, reason ?? "Unspecified")]);

    async Task Move(ReceiveContext context, IEnumerable<KeyValuePair<string, object>> extra)
    {
        var received = context.GetPayload<AmazonSqsReceiveContext>();
        var attributes = SqsTransportHeaders.ToAttributes(received.Headers, extra);
        var fifo = Topology.AmazonSqsEntityNames.IsFifo(queue.Name);
        await transport.Sender(queue).SendAsync(new SqsOutgoingMessage(received.TransportMessage.Body, attributes, null,
            fifo ? received.PartitionKey ?? "default" : null, fifo ? received.TransportMessage.MessageId : null), CancellationToken.None);
    }
}
