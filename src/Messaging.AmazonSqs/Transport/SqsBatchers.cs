using System.Globalization;
using Amazon.SQS;
using Amazon.SQS.Model;
using Shop.Messaging.AmazonSqs.Sns;

namespace Shop.Messaging.AmazonSqs.Transport;

public sealed record SqsOutgoingMessage(
    string Body,
    IReadOnlyList<KeyValuePair<string, string>> Attributes,
    int? DelaySeconds = null,
    string? GroupId = null,
    string? DeduplicationId = null)
{
    public int Size => System.Text.Encoding.UTF8.GetByteCount(Body)
        + Attributes.Sum(a => a.Key.Length + System.Text.Encoding.UTF8.GetByteCount(a.Value) + "String".Length);
}

/// <summary>A batch entry the service rejected: the whole message is refused, never half-sent.</summary>
public sealed class SqsBatchEntryException(string code, string? message, bool senderFault)
    : Exception($"{code}: {message}")
{
    public string Code { get; } = code;
    public bool SenderFault { get; } = senderFault;
}

public sealed class SqsSendBatcher(IAmazonSQS sqs, string queueUrl, int capacity = Batcher<SqsOutgoingMessage>.DefaultCapacity)
    : Batcher<SqsOutgoingMessage>(capacity: capacity)
{
    public Task SendAsync(SqsOutgoingMessage message, CancellationToken cancellationToken) =>
        Enqueue(message, message.Size, cancellationToken);

    protected override async Task SendBatchAsync(IReadOnlyList<Pending> batch)
    {
        var request = new SendMessageBatchRequest { QueueUrl = queueUrl, Entries = [] };
        for (var i = 0; i < batch.Count; i++)
        {
            var message = batch[i].Entry;
            request.Entries.Add(new SendMessageBatchRequestEntry
            {
                Id = i.ToString(CultureInfo.InvariantCulture),
                MessageBody = message.Body,
                DelaySeconds = message.DelaySeconds,
                MessageGroupId = message.GroupId,
                MessageDeduplicationId = message.DeduplicationId,
                MessageAttributes = message.Attributes.ToDictionary(a => a.Key,
                    a => new MessageAttributeValue { DataType = "String", StringValue = a.Value }),
            });
        }

        var response = await sqs.SendMessageBatchAsync(request);
        Complete(batch, response.Successful?.Select(s => s.Id), response.Failed?.Select(f => (f.Id, f.Code, (string?)f.Message, f.SenderFault ?? false)));
    }
}

public sealed class SnsPublishBatcher(SnsClient sns, string topicArn, int capacity = Batcher<SqsOutgoingMessage>.DefaultCapacity)
    : Batcher<SqsOutgoingMessage>(capacity: capacity)
{
    public Task PublishAsync(SqsOutgoingMessage message, CancellationToken cancellationToken) =>
        Enqueue(message, message.Size, cancellationToken);

    protected override async Task SendBatchAsync(IReadOnlyList<Pending> batch)
    {
        var entries = new List<SnsPublishBatchEntry>(batch.Count);
        for (var i = 0; i < batch.Count; i++)
        {
            var message = batch[i].Entry;
            entries.Add(new SnsPublishBatchEntry(i.ToString(CultureInfo.InvariantCulture), message.Body)
            {
                MessageGroupId = message.GroupId,
                MessageDeduplicationId = message.DeduplicationId,
                MessageAttributes = message.Attributes.ToDictionary(a => a.Key, a => SnsMessageAttribute.String(a.Value)),
            });
        }

        var result = await sns.PublishBatchAsync(topicArn, entries);
        Complete(batch, result.Successful.Select(s => s.Id),
            result.Failed.Select(f => (f.Id, f.Code, f.Message, f.SenderFault)));
    }
}

/// <summary>Nobody waits for a delete, so a batch lingers briefly to fill up: fewer calls for the same messages.</summary>
public sealed class SqsDeleteBatcher(IAmazonSQS sqs, string queueUrl, int capacity = Batcher<string>.DefaultCapacity)
    : Batcher<string>(TimeSpan.FromMilliseconds(20), capacity)
{
    public Task DeleteAsync(string receiptHandle, CancellationToken cancellationToken = default) =>
        Enqueue(receiptHandle, 0, cancellationToken);

    protected override async Task SendBatchAsync(IReadOnlyList<Pending> batch)
    {
        var response = await sqs.DeleteMessageBatchAsync(new DeleteMessageBatchRequest
        {
            QueueUrl = queueUrl,
            Entries = batch.Select((p, i) => new DeleteMessageBatchRequestEntry(i.ToString(CultureInfo.InvariantCulture), p.Entry)).ToList(),
        });
        Complete(batch, response.Successful?.Select(s => s.Id),
            response.Failed?.Select(f => (f.Id, f.Code, (string?)f.Message, f.SenderFault ?? false)));
    }
}
