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
