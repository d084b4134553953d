using System.Diagnostics;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Shop.Benchmarks.Scenarios;

/// <summary>
/// Scenario 6: the same load as the raw baseline through our SQS/SNS transport, set up by <c>AddShopMessaging</c> as
/// the services are, without the durable store. Concurrent sends to one queue, so the transport's batcher can group
/// them, and one receive endpoint with the benchmark's concurrency.
/// </summary>
public static class AmazonSqsTransportScenario
{
    public const string Name = "6 MassTransit on our SQS transport";

    public static async Task<BenchResult> Run(SqsPeer peer, BenchSettings settings, int round)
    {
        var queue = $"sqs-bench-{round}";
        using var host = MassTransitScenario.BuildHost(null, null, settings, x =>
        {
            x.AddConsumer<PlainConsumer>().Endpoint(e => e.Name = queue);
            // Sent, never published: no topic is needed, and none is left behind.
            x.AddConfigureEndpointsCallback((_, _, endpoint) => endpoint.ConfigureConsumeTopology = false);
        }, new Dictionary<string, string?>
        {
            ["Messaging:Transport"] = "AmazonSqs",
            ["Messaging:AmazonSqs:ServiceUrl"] = peer.Endpoint.ToString(),
            ["Messaging:AmazonSqs:Region"] = peer.Region,
            ["Messaging:AmazonSqs:AccessKey"] = peer.AccessKey,
            ["Messaging:AmazonSqs:SecretKey"] = peer.SecretKey,
            ["Messaging:AmazonSqs:Prefix"] = peer.Prefix,
        });

        await host.StartAsync();
        try
        {
            var counter = host.Services.GetRequiredService<Counter>();
            counter.Restart(settings.Messages);
            var bus = host.Services.GetRequiredService<IBus>();
            var endpoint = await bus.GetSendEndpoint(new Uri($"queue:{queue}"));
            var queueUrl = (await peer.Sqs.GetQueueUrlAsync(peer.Prefix + queue)).QueueUrl;

            using (counter.Progress = new Progress(Name, settings.Messages))
            {
                var cpu = new CpuWindow();
                var watch = Stopwatch.StartNew();
                await ConcurrentSends.Run(settings.Messages, settings.Concurrency * 2,
                    () => endpoint.Send(new Payload(NewId.NextGuid(), settings.Payload)));
                await counter.Done.Task.WaitAsync(TimeSpan.FromMinutes(10));
                await peer.WaitUntilEmpty(queueUrl, TimeSpan.FromMinutes(1));
                watch.Stop();

                return new BenchResult(Name, "throughput", settings.Messages / watch.Elapsed.TotalSeconds, "msg/s") { Cpu = cpu.Per(settings.Messages) };
            }
        }
        finally
        {
            await host.StopAsync();
        }
    }
}
