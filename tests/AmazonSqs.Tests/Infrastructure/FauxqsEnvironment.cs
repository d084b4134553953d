using Amazon.SQS;
using Amazon.SQS.Model;
using Shop.Messaging.AmazonSqs.Sns;
using Shop.Messaging.AmazonSqs.Topology;
using Shop.Testing;
using Xunit;

namespace Shop.AmazonSqs.Tests.Infrastructure;

/// <summary>
/// The fauxqs emulator started by scripts/fauxqs.sh, with an SQS client (AWSSDK) and our SNS client. Every name it
/// hands out carries a per-fixture prefix, so concurrent test runs never share a queue or topic.
/// </summary>
public sealed class FauxqsEnvironment : IAsyncLifetime
{
    readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(30) };

    public Uri Endpoint { get; private set; } = null!;
    public string Prefix { get; } = "t" + Guid.NewGuid().ToString("N")[..8];
    public AmazonSQSClient Sqs { get; private set; } = null!;
    public SnsClient Sns { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Endpoint = await TestTransport.AwsEndpoint();

        Sqs = TestTransport.CreateSqsClient(Endpoint);
        Sns = new SnsClient(_http, new SnsClientOptions { ServiceUrl = Endpoint, Region = TestTransport.Region });
    }

    public Task DisposeAsync()
    {
        Sqs?.Dispose();
        _http.Dispose();
        return Task.CompletedTask;
    }

    /// <summary>A fresh name; FIFO names keep their <c>.fifo</c> suffix.</summary>
    public string Name(string purpose, bool fifo = false) =>
        $"{Prefix}-{purpose}-{Guid.NewGuid().ToString("N")[..6]}{(fifo ? ".fifo" : "")}";

    public async Task<(string Url, string Arn)> CreateQueue(string name, Dictionary<string, string>? attributes = null)
    {
        if (name.EndsWith(".fifo", StringComparison.Ordinal))
            (attributes ??= [])["FifoQueue"] = "true";
        var created = await Sqs.CreateQueueAsync(new CreateQueueRequest { QueueName = name, Attributes = attributes });
        var arn = await Sqs.GetQueueAttributesAsync(created.QueueUrl, ["QueueArn"]);
        return (created.QueueUrl, arn.Attributes["QueueArn"]);
    }

    /// <summary>Topic → queue with raw delivery, the way the transport wires a consumed message type.</summary>
    public async Task<string> SubscribeRaw(string topicArn, string queueUrl, string queueArn)
    {
        await AllowTopic((queueUrl, queueArn), topicArn);
        return await Sns.SubscribeAsync(topicArn, "sqs", queueArn,
            new Dictionary<string, string> { ["RawMessageDelivery"] = "true" });
    }

    public async Task AllowTopic((string Url, string Arn) queue, string topicArn) =>
        await Sqs.SetQueueAttributesAsync(queue.Url,
            new Dictionary<string, string> { ["Policy"] = SqsQueuePolicy.AllowTopics(queue.Arn, [topicArn]) });

    /// <summary>
    /// Idle when no queue named with <paramref name="prefix"/> (error and skipped queues aside) holds a message, visible,
    /// in flight or delayed: then no consumer has anything left to be given, and a test may count what it saw.
    /// </summary>
    public Shop.Testing.Quiescence.Probe QueuesEmpty(string prefix) => async () =>
    {
        foreach (var url in (await Sqs.ListQueuesAsync(prefix)).QueueUrls ?? [])
        {
            var name = url[(url.LastIndexOf('/') + 1)..];
            if (name.EndsWith("_error", StringComparison.Ordinal) || name.EndsWith("_skipped", StringComparison.Ordinal))
                continue;
            var count = await Depth(url);
            if (count > 0)
                return $"{count} message(s) in {name}";
        }

        return null;
    };

    /// <summary>Messages the queue holds: visible, in flight or delayed.</summary>
    public async Task<long> Depth(string queueUrl)
    {
        var attributes = (await Sqs.GetQueueAttributesAsync(queueUrl,
            ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible", "ApproximateNumberOfMessagesDelayed"])).Attributes;
        return attributes.Values.Sum(value => long.Parse(value, System.Globalization.CultureInfo.InvariantCulture));
    }

    /// <summary>Receives (and deletes) until <paramref name="count"/> messages arrived; fails when the timeout passes first.</summary>
    public async Task<List<Message>> Receive(string queueUrl, int count, TimeSpan? timeout = null)
    {
        var received = new List<Message>();
        await Eventually.Until(async () =>
        {
            var response = await Sqs.ReceiveMessageAsync(new ReceiveMessageRequest
            {
                QueueUrl = queueUrl,
                MaxNumberOfMessages = 10,
                WaitTimeSeconds = 1,
                MessageAttributeNames = ["All"],
                MessageSystemAttributeNames = ["All"],
            });
            foreach (var message in response.Messages ?? [])
            {
                received.Add(message);
                await Sqs.DeleteMessageAsync(queueUrl, message.ReceiptHandle);
            }

            return received.Count >= count;
        }, $"{count} message(s) in {queueUrl}", timeout ?? TimeSpan.FromSeconds(15), () => $"{received.Count} of them");
        return received;
    }
}
