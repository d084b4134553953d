using System.Text.Json;
using Amazon.SQS;
using Amazon.SQS.Model;
using Shop.Messaging.AmazonSqs.Topology;
using Shop.Messaging.AmazonSqs.Transport;

namespace Shop.Testing;

/// <summary>A message taken off a queue, whichever the transport: its body and its transport headers.</summary>
public sealed record TransportMessage(string Body, IReadOnlyDictionary<string, string> Headers);

/// <summary>Takes messages off an endpoint's queues (error and skipped queues, mostly) to look at them.</summary>
public interface ITransportQueues
{
    Task<IReadOnlyList<TransportMessage>> Take(string queue, int count = 10);
}

public sealed class RabbitMqQueues(RabbitMqManagement management, string virtualHost) : ITransportQueues
{
    public async Task<IReadOnlyList<TransportMessage>> Take(string queue, int count = 10)
    {
        var messages = await management.GetMessages(virtualHost, queue, count);
        return messages.Select(m =>
        {
            var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            var properties = m.GetProperty("properties");
            if (properties.TryGetProperty("headers", out var values))
                foreach (var header in values.EnumerateObject())
                    headers[header.Name] = header.Value.ValueKind == JsonValueKind.String ? header.Value.GetString()! : header.Value.GetRawText();
            if (properties.TryGetProperty("content_type", out var contentType))
                headers["Content-Type"] = contentType.GetString()!;
            return new TransportMessage(m.GetProperty("payload").GetString()!, headers);
        }).ToList();
    }
}

public sealed class AmazonSqsQueues(IAmazonSQS sqs, AmazonSqsEntityNames names) : ITransportQueues
{
    public async Task<IReadOnlyList<TransportMessage>> Take(string queue, int count = 10)
    {
        string url;
        try
        {
            url = (await sqs.GetQueueUrlAsync(names.Queue(queue))).QueueUrl;
        }
        catch (QueueDoesNotExistException)
        {
            return [];
        }

        var response = await sqs.ReceiveMessageAsync(new ReceiveMessageRequest
        {
            QueueUrl = url,
            MaxNumberOfMessages = Math.Clamp(count, 1, 10),
            WaitTimeSeconds = 1,
            MessageAttributeNames = ["All"],
        });
        var taken = new List<TransportMessage>();
        foreach (var message in response.Messages ?? [])
        {
            await sqs.DeleteMessageAsync(url, message.ReceiptHandle);
            taken.Add(new TransportMessage(message.Body, SqsTransportHeaders.FromAttributes(
                (message.MessageAttributes ?? []).Select(a => new KeyValuePair<string, string>(a.Key, a.Value.StringValue ?? "")))));
        }

        return taken;
    }
}
