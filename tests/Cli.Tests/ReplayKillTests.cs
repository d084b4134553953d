using System.Text;
using RabbitMQ.Client;
using Shop.Cli.Tests.Infrastructure;
using Shop.Testing;

namespace Shop.Cli.Tests;

public sealed class When_a_replay_is_killed_half_way_on_RabbitMq(RabbitMqBroker broker) : IClassFixture<RabbitMqBroker>
{
    const string Endpoint = "replay-target";
    const int Messages = 3000;

    [Fact]
    public async Task Should_leave_every_message_in_the_error_queue_or_the_endpoint_queue()
    {
        var factory = new ConnectionFactory { Uri = broker.Url };
        await using var connection = await factory.CreateConnectionAsync();
        await using var channel = await connection.CreateChannelAsync(new CreateChannelOptions(true, true));
        await channel.QueueDeclareAsync(Endpoint, durable: true, exclusive: false, autoDelete: false);
        await channel.QueueDeclareAsync(Endpoint + "_error", durable: true, exclusive: false, autoDelete: false);
        var ids = Enumerable.Range(0, Messages).Select(_ => Guid.NewGuid().ToString()).ToHashSet();
        foreach (var id in ids)
        {
            var properties = new BasicProperties
            {
                MessageId = id,
                ContentType = "application/json",
                Persistent = true,
                Headers = new Dictionary<string, object?> { ["MT-Fault-ExceptionType"] = "System.TimeoutException"u8.ToArray() },
            };
            await channel.BasicPublishAsync("", Endpoint + "_error", mandatory: true, properties, Encoding.UTF8.GetBytes($"{{\"id\":\"{id}\"}}"));
        }

        var shop = new ShopCommandLine(broker);
        using var process = shop.Start("errors", "replay", Endpoint, "--all");
        var replayedLines = 0;
        while (await process.StandardOutput.ReadLineAsync() is { } line)
        {
            if (line.StartsWith("replayed ", StringComparison.Ordinal) && ++replayedLines == 100)
                break;
        }

        process.Kill(entireProcessTree: true);
        await process.WaitForExitAsync();
        Assert.Equal(100, replayedLines);

        // The broker gives the killed connection's unacknowledged messages back to the error queue.
        var (inEndpoint, inError) = await Eventually.Returns(async () => (await Depth(channel, Endpoint), await Depth(channel, Endpoint + "_error")),
            depths => depths.Item1 + depths.Item2 >= Messages, "every message back in one of the two queues");
        Assert.InRange(inEndpoint, 100u, Messages - 1u);
        Assert.InRange(inEndpoint + inError, (uint)Messages, Messages + 1u);

        var found = new HashSet<string>();
        foreach (var queue in new[] { Endpoint, Endpoint + "_error" })
            while (await channel.BasicGetAsync(queue, autoAck: true) is { } got)
                found.Add(got.BasicProperties.MessageId!);
        Assert.Equal(ids.Order(), found.Order());
    }

    static async Task<uint> Depth(IChannel channel, string queue) => (await channel.QueueDeclarePassiveAsync(queue)).MessageCount;
}

public sealed class When_a_replay_is_killed_half_way_on_AmazonSqs(AmazonSqsBroker broker) : IClassFixture<AmazonSqsBroker>
{
    const string Endpoint = "replay-target";
    // Enough that the kill lands while the replay is still going: 300 were all replayed before it on a quiet machine.
    const int Messages = 2000;

    [Fact]
    public async Task Should_leave_every_message_in_the_error_queue_or_the_endpoint_queue()
    {
        var sqs = broker.Sqs;
        var target = (await sqs.CreateQueueAsync(broker.Prefix + Endpoint)).QueueUrl;
        var error = (await sqs.CreateQueueAsync(broker.Prefix + Endpoint + "_error")).QueueUrl;
        var ids = Enumerable.Range(0, Messages).Select(_ => Guid.NewGuid().ToString()).ToList();
        foreach (var chunk in ids.Chunk(10))
        {
            await sqs.SendMessageBatchAsync(error, chunk.Select((id, i) => new Amazon.SQS.Model.SendMessageBatchRequestEntry
            {
                Id = i.ToString(System.Globalization.CultureInfo.InvariantCulture),
                MessageBody = $"{{\"id\":\"{id}\"}}",
                MessageAttributes = new()
                {
                    ["Content-Type"] = new() { DataType = "String", StringValue = "application/json" },
                    ["MessageId"] = new() { DataType = "String", StringValue = id },
                    ["MT-Fault-ExceptionType"] = new() { DataType = "String", StringValue = "System.TimeoutException" },
                },
            }).ToList());
        }

        // A short hold, so that what the killed run had taken comes back to the error queue within the test.
        using var process = new ShopCommandLine(broker).Start("errors", "replay", Endpoint, "--all", "--hold", "00:00:05");
        var replayedLines = 0;
        while (await process.StandardOutput.ReadLineAsync() is { } line)
        {
            if (line.StartsWith("replayed ", StringComparison.Ordinal) && ++replayedLines == 30)
                break;
        }

        process.Kill(entireProcessTree: true);
        await process.WaitForExitAsync();
        Assert.Equal(30, replayedLines);

        // Taken but not yet deleted, the rest of the killed run's last batch is invisible until its hold ends.
        var (inEndpoint, inError) = await Eventually.Returns(async () => (await Count(target), await Count(error)),
            depths => depths.Item1 + depths.Item2 >= Messages, "every message in one of the two queues");
        Assert.InRange(inEndpoint, 30, Messages - 1);
        Assert.InRange(inEndpoint + inError, Messages, Messages + 1);

        // Then every one of them can be received again from one of the queues.
        var found = new HashSet<string>();
        var received = 0;
        // What the killed run held comes back to its queue when its hold ends: each look drains both queues.
        await Eventually.Until(async () =>
        {
            bool empty;
            do
            {
                empty = true;
                foreach (var queue in new[] { target, error })
                {
                    // No long poll: one queue is often empty while the other still holds hundreds.
                    var batch = (await sqs.ReceiveMessageAsync(new Amazon.SQS.Model.ReceiveMessageRequest
                    {
                        QueueUrl = queue, MaxNumberOfMessages = 10, WaitTimeSeconds = 0, MessageAttributeNames = ["All"],
                    })).Messages ?? [];
                    empty &= batch.Count == 0;
                    foreach (var message in batch)
                    {
                        received++;
                        found.Add(message.MessageAttributes["MessageId"].StringValue);
                    }
                    if (batch.Count > 0)
                        await sqs.DeleteMessageBatchAsync(queue, batch.Select((m, n) => new Amazon.SQS.Model.DeleteMessageBatchRequestEntry(
                            n.ToString(System.Globalization.CultureInfo.InvariantCulture), m.ReceiptHandle)).ToList());
                }
            } while (!empty && found.Count < Messages);

            return found.Count >= Messages;
        }, "every message back in one of the queues", TimeSpan.FromMinutes(3), () => $"{found.Count} of {Messages} found");

        Assert.Equal(ids.Order(), found.Order());
        Assert.InRange(received, Messages, Messages + 1);
    }

    async Task<int> Count(string queue)
    {
        var attributes = await broker.Sqs.GetQueueAttributesAsync(queue, ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"]);
        return attributes.ApproximateNumberOfMessages + attributes.ApproximateNumberOfMessagesNotVisible;
    }
}
