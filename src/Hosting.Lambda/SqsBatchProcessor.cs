using MassTransit;
using MassTransit.Transports;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Shop.Messaging.AmazonSqs.Transport;
using Shop.Messaging.AmazonSqs.Transport.Configuration;
using Shop.Messaging.EntityFrameworkCore.Delivery;

namespace Shop.Hosting.Lambda;

/// <summary>
/// One SQS event: each record is handed to the receive endpoint of its queue, the same pipeline a polled message runs
/// through (inbox, consumers, outbox, retry, <c>_error</c>); records that fault in the transport, and records there
/// was no time left to start, are returned as batch item failures; the outbox is flushed before the answer.
/// </summary>
public sealed partial class SqsBatchProcessor(
    IBusInstance bus,
    IEnumerable<IOutboxFlush> outboxes,
    IOptions<LambdaHostOptions> options,
    TimeProvider time,
    ILogger<SqsBatchProcessor> logger)
{
    AmazonSqsReceivers Receivers => (bus.HostConfiguration as AmazonSqsHostConfiguration)?.Transport.Receivers
        ?? throw new InvalidOperationException("The Lambda host needs Messaging:Transport=AmazonSqs.");

    public async Task<SqsBatchResponse> ProcessAsync(SqsEvent sqsEvent, DateTimeOffset deadline, CancellationToken cancellationToken)
    {
        var failures = new List<SqsBatchItemFailure>();
        var receivers = Receivers;

        // One after another: a FIFO queue's records arrive in order, and the deadline check below stays exact.
        foreach (var record in sqsEvent.Records)
        {
            var left = deadline - time.GetUtcNow();
            if (left < options.Value.RecordTimeReserve)
            {
                LogNoTimeLeft(logger, record.MessageId, left);
                failures.Add(new SqsBatchItemFailure(record.MessageId));
                continue;
            }

            if (!receivers.TryGet(record.QueueName, out var receiver))
            {
                LogUnknownQueue(logger, record.MessageId, record.QueueName, string.Join(", ", receivers.QueueNames));
                failures.Add(new SqsBatchItemFailure(record.MessageId));
                continue;
            }

            bool done;
            try
            {
                done = await receiver.DeliverAsync(record.ToMessage(), cancellationToken);
            }
            catch (Exception exception)
            {
                LogRecordFailed(logger, exception, record.MessageId);
                done = false;
            }

            if (!done)
                failures.Add(new SqsBatchItemFailure(record.MessageId));
        }

        // The environment may be frozen right after the answer: what the consumers wrote to the outbox goes out first.
        foreach (var outbox in outboxes)
        {
            try
            {
                await outbox.FlushAsync(cancellationToken);
            }
            catch (Exception exception)
            {
                // The rows stay; the next invocation (or the delivery service while this one runs) sends them.
                LogFlushFailed(logger, exception);
            }
        }

        return new SqsBatchResponse(failures);
    }

    [LoggerMessage(LogLevel.Warning, "SQS record {MessageId} returned unprocessed: only {Left} left of the invocation")]
    static partial void LogNoTimeLeft(ILogger logger, string messageId, TimeSpan left);

    [LoggerMessage(LogLevel.Error, "SQS record {MessageId} is from queue {Queue}, which no endpoint of this worker reads (it reads {Queues})")]
    static partial void LogUnknownQueue(ILogger logger, string messageId, string queue, string queues);

    [LoggerMessage(LogLevel.Error, "SQS record {MessageId} failed in the transport; it goes back to the queue")]
    static partial void LogRecordFailed(ILogger logger, Exception exception, string messageId);

    [LoggerMessage(LogLevel.Warning, "Flushing the outbox before the response failed; the messages stay in the outbox")]
    static partial void LogFlushFailed(ILogger logger, Exception exception);
}
