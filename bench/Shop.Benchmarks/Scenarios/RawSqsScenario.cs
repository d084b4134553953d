using System.Diagnostics;
using System.Globalization;
using Amazon.SQS.Model;

namespace Shop.Benchmarks.Scenarios;

/// <summary>
/// Scenario 6 baseline: AWSSDK.SQS by hand against fauxqs — SendMessageBatch of ten, and receivers that long-poll ten
/// at a time and acknowledge with DeleteMessageBatch. Its concurrency mirrors the transport's at the same setting: one
/// receiver per ten messages of concurrency, and as many batches in flight on the producer side.
/// </summary>
public static class RawSqsScenario
{
    public const string Name = "6 raw AWSSDK.SQS, batched";

    public static async Task<BenchResult> Run(SqsPeer peer, BenchSettings settings, int round)
    {
        var queueUrl = (await peer.Sqs.CreateQueueAsync($"{peer.Prefix}raw-{round}")).QueueUrl;
        var lanes = Lanes(settings);
        var body = $"{{\"id\":\"{Guid.NewGuid()}\",\"data\":\"{settings.Payload}\"}}";

        var received = 0;
        using var stop = new CancellationTokenSource();
        using var progress = new Progress(Name, settings.Messages);
        var cpu = new CpuWindow();
        var watch = Stopwatch.StartNew();
        var receivers = Enumerable.Range(0, lanes).Select(_ => Task.Run(Receive)).ToArray();

        var batches = (settings.Messages + 9) / 10;
        var nextBatch = -1;
        await Task.WhenAll(Enumerable.Range(0, lanes).Select(_ => Task.Run(Produce)));

        while (Volatile.Read(ref received) < settings.Messages)
        {
            if (receivers.FirstOrDefault(r => r.IsFaulted) is { } failed)
                await failed;
            if (watch.Elapsed > TimeSpan.FromMinutes(10))
                throw new TimeoutException($"Only {received} of {settings.Messages} messages arrived within ten minutes.");
            await Task.Delay(5);
        }

        await peer.WaitUntilEmpty(queueUrl, TimeSpan.FromMinutes(1));
        watch.Stop();
        var used = cpu.Per(settings.Messages);
        await stop.CancelAsync();
        await Task.WhenAll(receivers);

        return new BenchResult(Name, "throughput", settings.Messages / watch.Elapsed.TotalSeconds, "msg/s") { Cpu = used };

        async Task Produce()
        {
            int batch;
            while ((batch = Interlocked.Increment(ref nextBatch)) < batches)
            {
                var count = Math.Min(10, settings.Messages - batch * 10);
                var response = await peer.Sqs.SendMessageBatchAsync(new SendMessageBatchRequest
                {
                    QueueUrl = queueUrl,
                    Entries = Enumerable.Range(0, count)
                        .Select(i => new SendMessageBatchRequestEntry(i.ToString(CultureInfo.InvariantCulture), body)).ToList(),
                });
                if (response.Failed is { Count: > 0 } failed)
                    throw new InvalidOperationException($"SendMessageBatch refused {failed.Count} entries: {failed[0].Code} {failed[0].Message}");
            }
        }

        async Task Receive()
        {
            while (!stop.IsCancellationRequested)
            {
                ReceiveMessageResponse response;
                try
                {
                    response = await peer.Sqs.ReceiveMessageAsync(new ReceiveMessageRequest
                    {
                        QueueUrl = queueUrl,
                        MaxNumberOfMessages = 10,
                        WaitTimeSeconds = 20,
                    }, stop.Token);
                }
                catch (OperationCanceledException) when (stop.IsCancellationRequested)
                {
                    return;
                }

                if (response.Messages is not { Count: > 0 } messages)
                    continue;
                progress.Report(Interlocked.Add(ref received, messages.Count));
                await peer.Sqs.DeleteMessageBatchAsync(new DeleteMessageBatchRequest
                {
                    QueueUrl = queueUrl,
                    Entries = messages.Select((m, i) => new DeleteMessageBatchRequestEntry(i.ToString(CultureInfo.InvariantCulture), m.ReceiptHandle))
                        .ToList(),
                });
            }
        }
    }

    /// <summary>The transport runs one poller per ten slots and up to four batches in flight per queue.</summary>
    public static int Lanes(BenchSettings settings) => Math.Max(1, (settings.Concurrency + 9) / 10);
}
