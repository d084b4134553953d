using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Shop.AmazonSqs.Tests.Infrastructure;
using Shop.Messaging.AmazonSqs.Topology;
using Shop.Messaging.AmazonSqs.Transport;
using Xunit;

namespace Shop.AmazonSqs.Tests.Transport;

public sealed class PublishAndSendTests(FauxqsEnvironment fauxqs) : IClassFixture<FauxqsEnvironment>
{
    [Fact]
    public async Task A_published_event_reaches_every_endpoint_that_consumes_it_and_no_other()
    {
        var prefix = fauxqs.Name("pub");
        await using var bus = await SqsBus.StartAsync(fauxqs, prefix, x =>
        {
            x.AddConsumer<PingConsumer>();
            x.AddConsumer<SecondPingConsumer>();
            x.AddConsumer<BigDocumentConsumer>();
        });
        var log = bus.Services.GetRequiredService<MessageLogRegistry>().Log;

        var id = Guid.NewGuid();
        await bus.Bus.Publish(new PingSent(id, "hello"));

        var seen = await log.WaitFor<Seen<PingSent>>(s => s.Message.Id == id, count: 2);
        Assert.Equal(["PingConsumer", "SecondPingConsumer"], seen.Select(s => s.Consumer).Order().ToArray());
        Assert.All(seen, s => Assert.Equal("hello", s.Message.Text));

        // The endpoint that does not consume PingSent is not subscribed to its topic: nothing lands there, not even skipped.
        // The topic hands a publish to every subscribed queue before the publish returns, so had the endpoint been
        // subscribed, the message would now be in its queue, in flight, or moved on to its skipped queue.
        var names = new AmazonSqsEntityNames(prefix + "-");
        var queue = await fauxqs.Sqs.GetQueueUrlAsync(names.Queue("big-document"));
        var skipped = await fauxqs.Sqs.GetQueueUrlAsync(names.SkippedQueue("big-document"));
        Assert.Equal(0, await fauxqs.Depth(queue.QueueUrl) + await fauxqs.Depth(skipped.QueueUrl));
        Assert.Equal(2, log.All<Seen<PingSent>>(s => s.Message.Id == id).Count);
    }

    [Fact]
    public async Task The_topology_is_a_topic_per_message_type_and_a_subscribed_queue_per_endpoint()
    {
        var prefix = fauxqs.Name("topo");
        await using var bus = await SqsBus.StartAsync(fauxqs, prefix, x => x.AddConsumer<PingConsumer>());

        var names = new AmazonSqsEntityNames(prefix + "-");
        foreach (var queue in new[] { names.Queue("ping"), names.ErrorQueue("ping"), names.SkippedQueue("ping") })
            Assert.False(string.IsNullOrEmpty((await fauxqs.Sqs.GetQueueUrlAsync(queue)).QueueUrl));

        var topicArn = await fauxqs.Sns.CreateTopicAsync(names.Topic(typeof(PingSent)));
        // The scope is the prefix without its dash: MassTransit's {scope}_{name}.
        Assert.EndsWith(":" + prefix + "_Shop_AmazonSqs_Tests_Transport-PingSent", topicArn);
        var subscriptions = await fauxqs.Sns.ListSubscriptionsByTopicAsync(topicArn);
        var subscription = Assert.Single(subscriptions);
        Assert.Equal("sqs", subscription.Protocol);
        Assert.EndsWith(":" + names.Queue("ping"), subscription.Endpoint);

        var url = (await fauxqs.Sqs.GetQueueUrlAsync(names.Queue("ping"))).QueueUrl;
        var attributes = await fauxqs.Sqs.GetQueueAttributesAsync(url, ["Policy", "VisibilityTimeout"]);
        Assert.Contains(topicArn, attributes.Attributes["Policy"]);
        Assert.Equal("30", attributes.Attributes["VisibilityTimeout"]);
    }

    [Fact]
    public async Task A_sent_command_reaches_only_the_addressed_queue()
    {
        var prefix = fauxqs.Name("send");
        await using var bus = await SqsBus.StartAsync(fauxqs, prefix, x =>
        {
            x.AddConsumer<PingConsumer>();
            x.AddConsumer<SecondPingConsumer>();
        });
        var log = bus.Services.GetRequiredService<MessageLogRegistry>().Log;

        var ids = Enumerable.Range(0, 25).Select(_ => Guid.NewGuid()).ToList();
        var endpoint = await bus.Bus.GetSendEndpoint(new Uri("queue:second-ping"));
        await Task.WhenAll(ids.Select(id => endpoint.Send(new PingSent(id, "direct"))));

        var seen = await log.WaitFor<Seen<PingSent>>(s => ids.Contains(s.Message.Id), count: ids.Count);
        Assert.All(seen, s => Assert.Equal(nameof(SecondPingConsumer), s.Consumer));
        await Shop.Testing.Quiescence.WaitUntilQuiet(fauxqs.QueuesEmpty(prefix));
        Assert.Equal(ids.Count, log.All<Seen<PingSent>>(s => ids.Contains(s.Message.Id)).Select(s => s.Message.Id).Distinct().Count());
        Assert.Empty(log.All<Seen<PingSent>>(s => ids.Contains(s.Message.Id) && s.Consumer == nameof(PingConsumer)));
    }

    [Fact]
    public async Task A_delayed_send_arrives_after_its_delay_and_one_over_fifteen_minutes_is_refused()
    {
        await using var bus = await SqsBus.StartAsync(fauxqs, fauxqs.Name("delay"), x => x.AddConsumer<PingConsumer>());
        var log = bus.Services.GetRequiredService<MessageLogRegistry>().Log;
        var endpoint = await bus.Bus.GetSendEndpoint(new Uri("queue:ping"));

        var id = Guid.NewGuid();
        var sent = DateTime.UtcNow;
        await endpoint.Send(new PingSent(id, "later"), ctx => ctx.Delay = TimeSpan.FromSeconds(4));
        await log.WaitFor<Seen<PingSent>>(s => s.Message.Id == id);
        Assert.True(DateTime.UtcNow - sent >= TimeSpan.FromSeconds(3.5), $"arrived after {DateTime.UtcNow - sent}");

        var refused = await Assert.ThrowsAsync<NotSupportedException>(() =>
            endpoint.Send(new PingSent(Guid.NewGuid(), "much later"), ctx => ctx.Delay = TimeSpan.FromMinutes(16)));
        Assert.Contains("15 minutes", refused.Message);
    }

    [Fact]
    public async Task Messages_of_a_fifo_group_are_processed_in_the_order_sent()
    {
        await using var bus = await SqsBus.StartAsync(fauxqs, fauxqs.Name("fifo"),
            x => x.AddConsumer<OrderedStepConsumer>().Endpoint(e => e.Name = "ordered-steps.fifo"));
        var log = bus.Services.GetRequiredService<MessageLogRegistry>().Log;
        var endpoint = await bus.Bus.GetSendEndpoint(new Uri("queue:ordered-steps.fifo"));

        var run = Guid.NewGuid();
        string[] groups = ["a", "b", "c"];
        await Task.WhenAll(groups.Select(async group =>
        {
            for (var sequence = 0; sequence < 12; sequence++)
                await endpoint.Send(new OrderedStep(run, group, sequence), ctx =>
                {
                    if (ctx is PartitionKeySendContext partition) partition.PartitionKey = group;
                });
        }));

        var seen = await log.WaitFor<Seen<OrderedStep>>(s => s.Message.Id == run, count: 36, TimeSpan.FromSeconds(60));
        foreach (var group in groups)
            Assert.Equal(Enumerable.Range(0, 12), seen.Where(s => s.Message.Group == group).Select(s => s.Message.Sequence));
    }

    [Fact]
    public async Task Published_messages_of_a_fifo_topic_reach_a_fifo_endpoint_in_the_order_of_their_group()
    {
        await using var bus = await SqsBus.StartAsync(fauxqs, fauxqs.Name("fifo-topic"),
            x => x.AddConsumer<OrderedStepConsumer>().Endpoint(e => e.Name = "published-steps.fifo"),
            new Dictionary<string, string?> { ["Messaging:AmazonSqs:FifoTopics:0"] = nameof(OrderedStep) });
        var log = bus.Services.GetRequiredService<MessageLogRegistry>().Log;

        // No partition key: the group is the correlation id, one per group here.
        var run = Guid.NewGuid();
        var groups = new Dictionary<string, Guid> { ["a"] = Guid.NewGuid(), ["b"] = Guid.NewGuid() };
        await Task.WhenAll(groups.Select(async group =>
        {
            for (var sequence = 0; sequence < 10; sequence++)
                await bus.Bus.Publish(new OrderedStep(run, group.Key, sequence), ctx => ctx.CorrelationId = group.Value);
        }));

        var seen = await log.WaitFor<Seen<OrderedStep>>(s => s.Message.Id == run, count: 20, TimeSpan.FromSeconds(60));
        foreach (var group in groups.Keys)
            Assert.Equal(Enumerable.Range(0, 10), seen.Where(s => s.Message.Group == group).Select(s => s.Message.Sequence));
    }
}
