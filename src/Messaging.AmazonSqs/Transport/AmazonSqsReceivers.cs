using System.Collections.Concurrent;
using Amazon.SQS.Model;

namespace Shop.Messaging.AmazonSqs.Transport;

/// <summary>
/// A receive endpoint whose messages are received by someone else (an SQS event source mapping feeding a Lambda
/// function) and handed in one at a time: each goes through the endpoint's own receive pipeline — deserialisation,
/// inbox, consumers, outbox, retry, <c>_error</c> — exactly as a polled message does.
/// </summary>
public interface IAmazonSqsMessageReceiver
{
    /// <summary>The queue's full name, prefix included.</summary>
    string QueueName { get; }

    /// <summary>
    /// True when the message is done with: consumed, or moved to <c>_error</c> or <c>_skipped</c> by the pipeline, so
    /// the source may delete it. False when it faulted in the transport and must be received again. Nothing is deleted,
    /// released or extended on SQS: the party that received the message owns it.
    /// </summary>
    Task<bool> DeliverAsync(Message message, CancellationToken cancellationToken = default);
}

/// <summary>The receive endpoints of a bus started with <see cref="AmazonSqsTransportOptions.Poll"/> off, by queue name.</summary>
public sealed class AmazonSqsReceivers
{
    readonly ConcurrentDictionary<string, IAmazonSqsMessageReceiver> _receivers = new(StringComparer.Ordinal);

    public IReadOnlyCollection<string> QueueNames => _receivers.Keys.ToList();

    public bool TryGet(string queueName, out IAmazonSqsMessageReceiver receiver) => _receivers.TryGetValue(queueName, out receiver!);

    internal void Add(IAmazonSqsMessageReceiver receiver) => _receivers[receiver.QueueName] = receiver;

    internal void Remove(IAmazonSqsMessageReceiver receiver) =>
        _receivers.TryRemove(new KeyValuePair<string, IAmazonSqsMessageReceiver>(receiver.QueueName, receiver));
}
