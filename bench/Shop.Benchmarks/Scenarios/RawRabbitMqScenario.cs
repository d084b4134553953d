using System.Diagnostics;
using System.Text;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;

namespace Shop.Benchmarks.Scenarios;

/// <summary>
/// Scenario 1: RabbitMQ.Client by hand — persistent messages, publisher confirms, one consumer with manual acks.
/// What the broker on this machine can do; every other figure is a fraction of it.
/// </summary>
public static class RawRabbitMqScenario
{
    public static async Task<BenchResult> Run(Uri amqp, BenchSettings settings)
    {
        var factory = new ConnectionFactory { Uri = amqp };
        await using var connection = await factory.CreateConnectionAsync();
        await using var consumerChannel = await connection.CreateChannelAsync();
        await using var publishChannel = await connection.CreateChannelAsync(
            new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true));

        const string queue = "bench-raw";
        await consumerChannel.QueueDeclareAsync(queue, durable: true, exclusive: false, autoDelete: false);
        await consumerChannel.QueuePurgeAsync(queue);
        await consumerChannel.BasicQosAsync(0, (ushort)settings.Concurrency, false);

        // Each round counts its own messages: the untimed warm-up rounds, then the timed one.
        var received = 0;
        var target = 0;
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Progress? progress = null;
        var consumer = new AsyncEventingBasicConsumer(consumerChannel);
        consumer.ReceivedAsync += async (_, delivery) =>
        {
            await consumerChannel.BasicAckAsync(delivery.DeliveryTag, false);
            var count = Interlocked.Increment(ref received);
            progress?.Report(count);
            if (count == Volatile.Read(ref target))
                done.TrySetResult();
        };
        await consumerChannel.BasicConsumeAsync(queue, autoAck: false, consumer);

        var body = Encoding.UTF8.GetBytes($"{{\"id\":\"{Guid.NewGuid()}\",\"data\":\"{settings.Payload}\"}}");
        var properties = new BasicProperties { Persistent = true, ContentType = "application/json" };

        using var window = new SemaphoreSlim(settings.Concurrency * 2);
        await settings.WarmUp(Round);

        using (progress = new Progress("raw RabbitMQ.Client", settings.Messages))
        {
            var cpu = new CpuWindow();
            var watch = Stopwatch.StartNew();
            await Round(settings.Messages);
            watch.Stop();
            return new BenchResult("1 raw RabbitMQ.Client", "throughput", settings.Messages / watch.Elapsed.TotalSeconds, "msg/s")
                { Cpu = cpu.Per(settings.Messages) };
        }

        async Task Round(int messages)
        {
            if (messages == 0)
                return;

            Volatile.Write(ref received, 0);
            done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            Volatile.Write(ref target, messages);
            var publishes = new List<Task>(messages);
            for (var i = 0; i < messages; i++)
            {
                await window.WaitAsync();
                publishes.Add(Publish());
            }

            await Task.WhenAll(publishes);
            await done.Task.WaitAsync(TimeSpan.FromMinutes(5));
        }

        async Task Publish()
        {
            try
            {
                await publishChannel.BasicPublishAsync("", queue, mandatory: false, properties, body);
            }
            finally
            {
                window.Release();
            }
        }
    }
}
