using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Amazon.Runtime;
using Amazon.SQS;
using Amazon.SQS.Model;
using RabbitMQ.Client;

namespace Shop.Faults;

/// <summary>What the suite does on the broker itself: poison straight into queues, and reading the error queues.</summary>
public interface IFaultTransport
{
    /// <summary>Settings that put the services on this run's own virtual host or queue-name prefix.</summary>
    Dictionary<string, string> ServiceSettings();

    Task Prepare();

    Task Publish(string queue, string body, bool envelope);

    /// <summary>Messages waiting in or being handled from any queue that is not an error or skipped queue.</summary>
    Task<long> MessagesInFlight();

    /// <summary>Every message sitting in an <c>_error</c> queue: its queue and body. Messages are left where they are.</summary>
    Task<List<(string Queue, string Body)>> ErrorQueueMessages();
}

public sealed class RabbitMqFaultTransport(FaultServices services, string runId) : IFaultTransport
{
    readonly string _virtualHost = $"faults-{runId}";

    public Dictionary<string, string> ServiceSettings() => new()
    {
        ["Messaging:Transport"] = "RabbitMq",
        ["Messaging:RabbitMq:Url"] = services.RabbitMq + Uri.EscapeDataString(_virtualHost),
    };

    HttpClient Management()
    {
        var http = new HttpClient { BaseAddress = new Uri(services.RabbitMqManagement), Timeout = TimeSpan.FromSeconds(30) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String("shop:shop"u8.ToArray()));
        return http;
    }

    public async Task Prepare()
    {
        using var http = Management();
        var vhost = Uri.EscapeDataString(_virtualHost);
        (await http.PutAsync($"api/vhosts/{vhost}", null)).EnsureSuccessStatusCode();
        (await http.PutAsJsonAsync($"api/permissions/{vhost}/shop", new { configure = ".*", write = ".*", read = ".*" })).EnsureSuccessStatusCode();
    }

    public async Task<long> MessagesInFlight()
    {
        using var http = Management();
        var queues = await http.GetFromJsonAsync<JsonElement[]>($"api/queues/{Uri.EscapeDataString(_virtualHost)}") ?? [];
        return queues.Where(q => !IsSink(q.GetProperty("name").GetString()!))
            .Sum(q => Count(q, "messages_ready") + Count(q, "messages_unacknowledged"));

        static long Count(JsonElement queue, string property) => queue.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.Number ? value.GetInt64() : 0;
    }

    internal static bool IsSink(string queue)
    {
        var name = queue.EndsWith(".fifo", StringComparison.Ordinal) ? queue[..^5] : queue;
        return name.EndsWith("_error", StringComparison.Ordinal) || name.EndsWith("_skipped", StringComparison.Ordinal);
    }

    async Task<IConnection> Connect()
    {
        var uri = new Uri(services.RabbitMq);
        return await new ConnectionFactory
        {
            HostName = uri.Host, Port = uri.Port, UserName = "shop", Password = "shop", VirtualHost = _virtualHost
        }.CreateConnectionAsync();
    }

    public async Task Publish(string queue, string body, bool envelope)
    {
        await using var connection = await Connect();
        await using var channel = await connection.CreateChannelAsync();
        var properties = new BasicProperties
        {
            ContentType = "application/vnd.masstransit+json", MessageId = Guid.NewGuid().ToString(), Persistent = true
        };
        await channel.BasicPublishAsync("", queue, mandatory: false, properties, Encoding.UTF8.GetBytes(body));
    }

    public async Task<List<(string Queue, string Body)>> ErrorQueueMessages()
    {
        using var http = Management();
        var queues = await http.GetFromJsonAsync<JsonElement[]>($"api/queues/{Uri.EscapeDataString(_virtualHost)}") ?? [];
        var found = new List<(string, string)>();
        await using var connection = await Connect();
        foreach (var name in queues.Select(q => q.GetProperty("name").GetString()!).Where(n => n.EndsWith("_error", StringComparison.Ordinal)))
        {
            // Fetched without acknowledging; closing the channel puts them all back.
            await using var channel = await connection.CreateChannelAsync();
            while (await channel.BasicGetAsync(name, autoAck: false) is { } message)
                found.Add((name, Encoding.UTF8.GetString(message.Body.Span)));
            await channel.CloseAsync();
        }

        return found;
    }
}

public sealed class SqsFaultTransport(FaultServices services, string runId) : IFaultTransport
{
    readonly string _prefix = $"f{runId}-";

    // Received messages stay invisible for a while; every scan reports what earlier scans saw as well.
    readonly Dictionary<string, (string Queue, string Body)> _seen = [];

    public Dictionary<string, string> ServiceSettings() => new()
    {
        ["Messaging:Transport"] = "AmazonSqs",
        ["Messaging:AmazonSqs:ServiceUrl"] = services.AwsEndpoint,
        ["Messaging:AmazonSqs:Region"] = "us-east-1",
        ["Messaging:AmazonSqs:AccessKey"] = "test",
        ["Messaging:AmazonSqs:SecretKey"] = "test",
        ["Messaging:AmazonSqs:Prefix"] = _prefix,
        ["Messaging:AmazonSqs:WaitTimeSeconds"] = "5",
    };

    AmazonSQSClient Client() => new(new BasicAWSCredentials("test", "test"),
        new AmazonSQSConfig { ServiceURL = services.AwsEndpoint, AuthenticationRegion = "us-east-1" });

    public Task Prepare() => Task.CompletedTask;

    public async Task Publish(string queue, string body, bool envelope)
    {
        using var sqs = Client();
        var url = (await sqs.GetQueueUrlAsync(_prefix + queue)).QueueUrl;
        await sqs.SendMessageAsync(new SendMessageRequest
        {
            QueueUrl = url,
            MessageBody = body.Length == 0 ? " " : body,
            MessageAttributes = new Dictionary<string, MessageAttributeValue>
            {
                ["Content-Type"] = new() { DataType = "String", StringValue = "application/vnd.masstransit+json" }
            }
        });
    }

    public async Task<long> MessagesInFlight()
    {
        using var sqs = Client();
        var total = 0L;
        foreach (var url in (await sqs.ListQueuesAsync(new ListQueuesRequest { QueueNamePrefix = _prefix })).QueueUrls ?? [])
        {
            if (RabbitMqFaultTransport.IsSink(url[(url.LastIndexOf('/') + 1)..]))
                continue;
            var attributes = await sqs.GetQueueAttributesAsync(url, ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible", "ApproximateNumberOfMessagesDelayed"]);
            total += attributes.ApproximateNumberOfMessages;
            total += attributes.ApproximateNumberOfMessagesNotVisible;
            total += attributes.ApproximateNumberOfMessagesDelayed;
        }

        return total;
    }

    public async Task<List<(string Queue, string Body)>> ErrorQueueMessages()
    {
        using var sqs = Client();
        var urls = (await sqs.ListQueuesAsync(new ListQueuesRequest { QueueNamePrefix = _prefix })).QueueUrls ?? [];
        foreach (var url in urls.Where(u => u.TrimEnd('/').EndsWith("_error", StringComparison.Ordinal) || u.EndsWith("_error.fifo", StringComparison.Ordinal)))
        {
            // Received with a long visibility timeout and never deleted: each is seen once and stays in the queue.
            while (true)
            {
                var batch = await sqs.ReceiveMessageAsync(new ReceiveMessageRequest
                {
                    QueueUrl = url, MaxNumberOfMessages = 10, VisibilityTimeout = 600, WaitTimeSeconds = 1
                });
                if (batch.Messages is not { Count: > 0 })
                    break;
                foreach (var message in batch.Messages)
                    _seen[message.MessageId] = (url[(url.LastIndexOf('/') + 1)..], message.Body);
            }
        }

        return [.. _seen.Values];
    }
}
