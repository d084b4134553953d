using System.Security.Cryptography;
using System.Text;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Shop.AmazonSqs.Tests.Infrastructure;
using Shop.BlobStorage;
using Shop.BlobStorage.Disk;
using Shop.Messaging.AmazonSqs.Topology;
using Xunit;

namespace Shop.AmazonSqs.Tests.Transport;

public sealed class ReceiveTests(FauxqsEnvironment fauxqs) : IClassFixture<FauxqsEnvironment>
{
    [Fact]
    public async Task A_consumer_that_runs_longer_than_the_visibility_timeout_keeps_its_message()
    {
        var prefix = fauxqs.Name("visibility");
        await using var bus = await SqsBus.StartAsync(fauxqs, prefix, x => x.AddConsumer<SlowConsumer>(),
            new Dictionary<string, string?> { ["Messaging:AmazonSqs:VisibilityTimeout"] = "00:00:04" });
        var log = bus.Services.GetRequiredService<MessageLogRegistry>().Log;

        var id = Guid.NewGuid();
        // Over twice the visibility timeout, with extensions every 2 s; at 2 s (every 1 s) a slow answer of the SQS peer
        // on a quiet CI run once let the message come back while the consumer still ran.
        await bus.Bus.Publish(new ProcessSlowly(id, 9));

        var done = Assert.Single(await log.WaitFor<Seen<ProcessSlowly>>(s => s.Message.Id == id, timeout: TimeSpan.FromSeconds(30)));
        Assert.False(done.Redelivered);
        await Shop.Testing.Quiescence.WaitUntilQuiet(fauxqs.QueuesEmpty(prefix)); // deleted: no copy left to come back
        Assert.Single(log.All<Started>(s => s.Id == id));
    }

    [Fact]
    public async Task A_one_megabyte_message_travels_through_the_claim_check()
    {
        var root = Directory.CreateTempSubdirectory("shop-claim-check-").FullName;
        try
        {
            await using var bus = await SqsBus.StartAsync(fauxqs, fauxqs.Name("claim"), x => x.AddConsumer<BigDocumentConsumer>(),
                services: s => s.AddSingleton<IBlobStorage>(new DiskBlobStorage(root)));
            var log = bus.Services.GetRequiredService<MessageLogRegistry>().Log;

            var content = string.Create(1024 * 1024, 0, (span, _) =>
            {
                for (var i = 0; i < span.Length; i++) span[i] = (char)('a' + Random.Shared.Next(26));
            });
            var id = Guid.NewGuid();
            var publishedAt = DateTime.UtcNow;
            await bus.Bus.Publish(new BigDocument(id, content));

            var seen = Assert.Single(await log.WaitFor<Seen<BigDocument>>(s => s.Message.Id == id));
            Assert.Equal(SHA256.HashData(Encoding.UTF8.GetBytes(content)), SHA256.HashData(Encoding.UTF8.GetBytes(seen.Message.Content)));
            // Stored under the day it was stored, for the clean-up to expire by day.
            var body = Assert.Single(Directory.GetFiles(Path.Combine(root, "messages"), "*", SearchOption.AllDirectories),
                f => !f.EndsWith("~meta", StringComparison.Ordinal));
            Assert.Contains(Path.GetFileName(Path.GetDirectoryName(body)),
                new[] { publishedAt, DateTime.UtcNow }.Select(t => t.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture)));
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public async Task Deletes_still_queued_when_the_host_stops_are_sent_before_it_closes()
    {
        // A consumer's success queues the delete without waiting for it; a host stopped right after its last consume
        // must still leave nothing behind for the next host to receive again.
        var prefix = fauxqs.Name("flush");
        var ids = Enumerable.Range(0, 25).Select(_ => Guid.NewGuid()).ToList();
        await using (var bus = await SqsBus.StartAsync(fauxqs, prefix, x => x.AddConsumer<PingConsumer>()))
        {
            var log = bus.Services.GetRequiredService<MessageLogRegistry>().Log;
            await Task.WhenAll(ids.Select(id => bus.Bus.Publish(new PingSent(id, "flush"))));
            await log.WaitFor<Seen<PingSent>>(s => ids.Contains(s.Message.Id), count: ids.Count);
        }

        var url = (await fauxqs.Sqs.GetQueueUrlAsync(new AmazonSqsEntityNames(prefix + "-").Queue("ping"))).QueueUrl;
        var attributes = await fauxqs.Sqs.GetQueueAttributesAsync(url,
            ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"]);
        Assert.Equal(0, attributes.ApproximateNumberOfMessages);
        Assert.Equal(0, attributes.ApproximateNumberOfMessagesNotVisible);
    }

    [Fact]
    public async Task Restarting_the_receiving_host_loses_nothing()
    {
        var prefix = fauxqs.Name("restart");
        var registry = new MessageLogRegistry();
        void Shared(IServiceCollection services) => services.AddSingleton(registry);

        // Start once to create the queue and its subscription, then publish while one host is busy and stop it mid-way.
        var ids = Enumerable.Range(0, 30).Select(_ => Guid.NewGuid()).ToList();
        await using (var receiver = await SqsBus.StartAsync(fauxqs, prefix, x => x.AddConsumer<SlowConsumer>(),
                         new Dictionary<string, string?> { ["Messaging:PrefetchCount"] = "4" }, Shared))
        {
            await Task.WhenAll(ids.Select(id => receiver.Bus.Publish(new ProcessSlowly(id, 1))));
            await registry.Log.WaitFor<Seen<ProcessSlowly>>(s => ids.Contains(s.Message.Id), count: 4);
        }

        var before = registry.Log.All<Seen<ProcessSlowly>>(s => ids.Contains(s.Message.Id)).Count;
        Assert.True(before < ids.Count, "the first host should have stopped with work left");

        await using var second = await SqsBus.StartAsync(fauxqs, prefix, x => x.AddConsumer<SlowConsumer>(),
            new Dictionary<string, string?> { ["Messaging:PrefetchCount"] = "16" }, Shared);
        var all = await registry.Log.WaitFor<Seen<ProcessSlowly>>(s => ids.Contains(s.Message.Id), count: ids.Count, TimeSpan.FromSeconds(60));
        Assert.Equal(ids.Order(), all.Select(s => s.Message.Id).Distinct().Order());
    }
}
