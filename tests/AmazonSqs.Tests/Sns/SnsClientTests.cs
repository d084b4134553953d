using System.Net;
using System.Text.Json;
using Shop.AmazonSqs.Tests.Infrastructure;
using Shop.Messaging.AmazonSqs.Sns;
using Xunit;

namespace Shop.AmazonSqs.Tests.Sns;

public class SnsClientTests(FauxqsEnvironment env) : IClassFixture<FauxqsEnvironment>
{
    [Fact]
    public async Task When_a_topic_is_created_twice_Should_answer_the_same_arn()
    {
        var name = env.Name("orders");

        var first = await env.Sns.CreateTopicAsync(name);
        var second = await env.Sns.CreateTopicAsync(name);

        Assert.EndsWith(":" + name, first);
        Assert.StartsWith("arn:aws:sns:", first);
        Assert.Equal(first, second);
    }

    [Fact]
    public async Task When_a_queue_subscribes_with_raw_delivery_Should_receive_the_published_body_and_attributes()
    {
        var topic = await env.Sns.CreateTopicAsync(env.Name("submitted"));
        var queue = await env.CreateQueue(env.Name("orders"));
        await env.SubscribeRaw(topic, queue.Url, queue.Arn);
        const string body = """{"message":{"orderId":"42"},"messageType":["urn:message:Shop.Contracts.Orders:OrderSubmitted"]}""";

        var messageId = await env.Sns.PublishAsync(new SnsPublishRequest(topic, body)
        {
            MessageAttributes = new Dictionary<string, SnsMessageAttribute>
            {
                ["Content-Type"] = SnsMessageAttribute.String("application/vnd.masstransit+json"),
                ["RetryCount"] = SnsMessageAttribute.Number("3"),
                ["Trace"] = SnsMessageAttribute.Binary([1, 2, 3]),
            },
        });

        var message = Assert.Single(await env.Receive(queue.Url, 1));
        Assert.False(string.IsNullOrEmpty(messageId));
        Assert.Equal(body, message.Body);
        Assert.Equal("application/vnd.masstransit+json", message.MessageAttributes["Content-Type"].StringValue);
        Assert.Equal("String", message.MessageAttributes["Content-Type"].DataType);
        Assert.Equal("3", message.MessageAttributes["RetryCount"].StringValue);
        Assert.Equal("Number", message.MessageAttributes["RetryCount"].DataType);
        Assert.Equal(new byte[] { 1, 2, 3 }, message.MessageAttributes["Trace"].BinaryValue.ToArray());
    }

    [Fact]
    public async Task When_two_topics_have_one_subscriber_each_Should_reach_only_the_subscribed_queue()
    {
        var confirmed = await env.Sns.CreateTopicAsync(env.Name("confirmed"));
        var cancelled = await env.Sns.CreateTopicAsync(env.Name("cancelled"));
        var notifications = await env.CreateQueue(env.Name("notifications"));
        var analytics = await env.CreateQueue(env.Name("analytics"));
        await env.SubscribeRaw(confirmed, notifications.Url, notifications.Arn);
        await env.SubscribeRaw(confirmed, analytics.Url, analytics.Arn);
        await env.SubscribeRaw(cancelled, analytics.Url, analytics.Arn);

        await env.Sns.PublishAsync(new SnsPublishRequest(confirmed, "confirmed-1"));
        await env.Sns.PublishAsync(new SnsPublishRequest(cancelled, "cancelled-1"));

        var analyticsBodies = (await env.Receive(analytics.Url, 2)).Select(m => m.Body).Order().ToList();
        var notificationBodies = (await env.Receive(notifications.Url, 1)).Select(m => m.Body).ToList();
        Assert.Equal(["cancelled-1", "confirmed-1"], analyticsBodies);
        Assert.Equal(["confirmed-1"], notificationBodies);
        // A publish reaches every subscribed queue before it returns: what is not there now never arrives.
        Assert.Equal(0, await env.Depth(notifications.Url));
    }

    [Fact]
    public async Task When_raw_delivery_is_switched_on_later_Should_deliver_raw_bodies_from_then_on()
    {
        var topic = await env.Sns.CreateTopicAsync(env.Name("payments"));
        var queue = await env.CreateQueue(env.Name("payments"));
        await env.AllowTopic(queue, topic);
        var subscription = await env.Sns.SubscribeAsync(topic, "sqs", queue.Arn);

        await env.Sns.PublishAsync(new SnsPublishRequest(topic, "wrapped"));
        var wrapped = Assert.Single(await env.Receive(queue.Url, 1));
        using (var envelope = JsonDocument.Parse(wrapped.Body))
        {
            Assert.Equal("Notification", envelope.RootElement.GetProperty("Type").GetString());
            Assert.Equal("wrapped", envelope.RootElement.GetProperty("Message").GetString());
            Assert.Equal(topic, envelope.RootElement.GetProperty("TopicArn").GetString());
        }

        await env.Sns.SetSubscriptionAttributesAsync(subscription, "RawMessageDelivery", "true");
        await env.Sns.PublishAsync(new SnsPublishRequest(topic, "raw"));
        Assert.Equal("raw", Assert.Single(await env.Receive(queue.Url, 1)).Body);
    }

    [Fact]
    public async Task When_publishing_a_batch_Should_deliver_every_entry_once()
    {
        var topic = await env.Sns.CreateTopicAsync(env.Name("batch"));
        var queue = await env.CreateQueue(env.Name("batch"));
        await env.SubscribeRaw(topic, queue.Url, queue.Arn);
        var entries = Enumerable.Range(1, SnsClient.MaxBatchEntries)
            .Select(i => new SnsPublishBatchEntry($"entry-{i}", $"body-{i}")
            {
                MessageAttributes = new Dictionary<string, SnsMessageAttribute> { ["Index"] = SnsMessageAttribute.Number($"{i}") },
            })
            .ToList();

        var result = await env.Sns.PublishBatchAsync(topic, entries);

        Assert.Empty(result.Failed);
        Assert.Equal(entries.Select(e => e.Id).Order(), result.Successful.Select(s => s.Id).Order());
        var received = await env.Receive(queue.Url, entries.Count);
        Assert.Equal(entries.Select(e => e.Message).Order(), received.Select(m => m.Body).Order());
        // A publish reaches every subscribed queue before it returns: no second copy can still be on its way.
        Assert.Equal(0, await env.Depth(queue.Url));
        Assert.All(received, m => Assert.Equal(m.Body[5..], m.MessageAttributes["Index"].StringValue));
    }

    [Fact]
    public async Task When_a_batch_has_more_than_ten_entries_Should_refuse_it_before_sending()
    {
        var entries = Enumerable.Range(1, 11).Select(i => new SnsPublishBatchEntry($"{i}", "x")).ToList();

        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() =>
            env.Sns.PublishBatchAsync("arn:aws:sns:us-east-1:000000000000:unused", entries));
    }

    [Fact]
    public async Task Should_list_every_subscription_of_the_topic()
    {
        var topic = await env.Sns.CreateTopicAsync(env.Name("listed"));
        var first = await env.CreateQueue(env.Name("first"));
        var second = await env.CreateQueue(env.Name("second"));
        var firstSubscription = await env.SubscribeRaw(topic, first.Url, first.Arn);
        var secondSubscription = await env.SubscribeRaw(topic, second.Url, second.Arn);

        var subscriptions = await env.Sns.ListSubscriptionsByTopicAsync(topic);

        Assert.Equal(
            new[] { (firstSubscription, first.Arn), (secondSubscription, second.Arn) }.Order(),
            subscriptions.Select(s => (s.SubscriptionArn, s.Endpoint)).Order());
        Assert.All(subscriptions, s => Assert.Equal(("sqs", topic), (s.Protocol, s.TopicArn)));
    }

    [Fact]
    public async Task When_the_topic_does_not_exist_Should_fail_with_the_sns_error_code()
    {
        var missing = $"arn:aws:sns:us-east-1:000000000000:{env.Name("missing")}";

        var error = await Assert.ThrowsAsync<SnsException>(() =>
            env.Sns.PublishAsync(new SnsPublishRequest(missing, "lost")));

        Assert.Equal("NotFound", error.Code);
        Assert.Equal(HttpStatusCode.NotFound, error.StatusCode);
        Assert.False(error.IsTransient);
    }

    [Fact]
    public async Task When_publishing_to_a_fifo_topic_Should_keep_the_group_and_order()
    {
        var topic = await env.Sns.CreateTopicAsync(env.Name("ledger", fifo: true),
            new Dictionary<string, string> { ["FifoTopic"] = "true" });
        var queue = await env.CreateQueue(env.Name("ledger", fifo: true));
        await env.SubscribeRaw(topic, queue.Url, queue.Arn);

        var entries = Enumerable.Range(1, 5)
            .Select(i => new SnsPublishBatchEntry($"e{i}", $"step-{i}") { MessageGroupId = "order-1", MessageDeduplicationId = $"d{i}" })
            .ToList();
        var result = await env.Sns.PublishBatchAsync(topic, entries);
        // A repeated deduplication id inside the five-minute window is dropped.
        await env.Sns.PublishAsync(new SnsPublishRequest(topic, "step-1-again") { MessageGroupId = "order-1", MessageDeduplicationId = "d1" });

        Assert.Empty(result.Failed);
        var received = await env.Receive(queue.Url, entries.Count);
        Assert.Equal(entries.Select(e => e.Message), received.Select(m => m.Body));
        Assert.Equal(0, await env.Depth(queue.Url)); // the repeated one was dropped, not delayed
        Assert.All(received, m => Assert.Equal("order-1", m.Attributes["MessageGroupId"]));
    }
}
