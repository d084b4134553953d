using Amazon.SQS.Model;
using Shop.AmazonSqs.Tests.Infrastructure;
using Shop.Contracts.Orders;
using Shop.Messaging.AmazonSqs.Sns;
using Shop.Messaging.AmazonSqs.Topology;
using Xunit;

namespace Shop.AmazonSqs.Tests.Topology;

public class AmazonSqsTopologyProvisionerTests(FauxqsEnvironment env) : IClassFixture<FauxqsEnvironment>
{
    // A prefix per test keeps topics (named after message types) apart from other tests and runs.
    AmazonSqsTopologyProvisioner NewProvisioner() =>
        new(env.Sqs, env.Sns, new AmazonSqsEntityNames(env.Name("env") + "-"));

    [Fact]
    public async Task When_an_endpoint_is_provisioned_Should_create_its_queues_topics_and_raw_subscriptions()
    {
        var provisioner = NewProvisioner();

        var topology = await provisioner.EnsureReceiveEndpointAsync("order-state", [typeof(OrderSubmitted), typeof(OrderConfirmed)]);

        var prefix = provisioner.Names.Prefix;
        Assert.Equal(prefix + "order-state", topology.Queue.Name);
        Assert.Equal(prefix + "order-state_error", topology.ErrorQueue.Name);
        Assert.Equal(prefix + "order-state_skipped", topology.SkippedQueue.Name);
        foreach (var queue in new[] { topology.Queue, topology.ErrorQueue, topology.SkippedQueue })
            Assert.Equal(queue.Url, (await env.Sqs.GetQueueUrlAsync(queue.Name)).QueueUrl);
        Assert.EndsWith(":" + provisioner.Names.Scope + "_Shop_Contracts_Orders-OrderSubmitted", topology.TopicArns[typeof(OrderSubmitted)]);

        foreach (var topicArn in topology.TopicArns.Values)
        {
            var subscription = Assert.Single(await env.Sns.ListSubscriptionsByTopicAsync(topicArn));
            Assert.Equal(("sqs", topology.Queue.Arn), (subscription.Protocol, subscription.Endpoint));
        }
        var policy = (await env.Sqs.GetQueueAttributesAsync(topology.Queue.Url, ["Policy"])).Attributes["Policy"];
        Assert.All(topology.TopicArns.Values, arn => Assert.Contains(arn, policy));
    }

    [Fact]
    public async Task When_an_endpoint_has_a_delivery_limit_Should_redrive_its_queue_to_its_error_queue_also_when_the_queue_existed_before()
    {
        var names = new AmazonSqsEntityNames(env.Name("env") + "-");
        await new AmazonSqsTopologyProvisioner(env.Sqs, env.Sns, names).EnsureReceiveEndpointAsync("limited", [typeof(OrderSubmitted)]);

        var topology = await new AmazonSqsTopologyProvisioner(env.Sqs, env.Sns, names)
            .EnsureReceiveEndpointAsync("limited", [typeof(OrderSubmitted)], redriveMaxReceiveCount: 12);

        var policy = System.Text.Json.JsonDocument.Parse(
            (await env.Sqs.GetQueueAttributesAsync(topology.Queue.Url, ["RedrivePolicy"])).Attributes["RedrivePolicy"]).RootElement;
        Assert.Equal(topology.ErrorQueue.Arn, policy.GetProperty("deadLetterTargetArn").GetString());
        Assert.Equal(12, policy.GetProperty("maxReceiveCount").GetInt32());
    }

    [Fact]
    public async Task When_published_to_a_consumed_type_Should_reach_the_endpoint_queue_raw()
    {
        var provisioner = NewProvisioner();
        var topology = await provisioner.EnsureReceiveEndpointAsync("payments", [typeof(OrderSubmitted)]);

        await env.Sns.PublishAsync(new SnsPublishRequest(await provisioner.EnsureTopicAsync(typeof(OrderSubmitted)), "{\"n\":1}"));

        Assert.Equal("{\"n\":1}", Assert.Single(await env.Receive(topology.Queue.Url, 1)).Body);
    }

    [Fact]
    public async Task When_provisioned_again_by_another_instance_Should_find_the_same_resources_without_duplicates()
    {
        var names = new AmazonSqsEntityNames(env.Name("env") + "-");
        var first = await new AmazonSqsTopologyProvisioner(env.Sqs, env.Sns, names)
            .EnsureReceiveEndpointAsync("stock", [typeof(OrderSubmitted)]);

        var second = await new AmazonSqsTopologyProvisioner(env.Sqs, env.Sns, names)
            .EnsureReceiveEndpointAsync("stock", [typeof(OrderSubmitted)]);

        Assert.Equal(first.Queue, second.Queue);
        Assert.Equal(first.TopicArns[typeof(OrderSubmitted)], second.TopicArns[typeof(OrderSubmitted)]);
        Assert.Single(await env.Sns.ListSubscriptionsByTopicAsync(first.TopicArns[typeof(OrderSubmitted)]));
    }

    [Fact]
    public async Task When_the_endpoint_is_fifo_Should_create_fifo_queues_subscribed_to_the_types_fifo_topic()
    {
        var provisioner = new AmazonSqsTopologyProvisioner(env.Sqs, env.Sns,
            new AmazonSqsEntityNames(env.Name("env") + "-", isFifoTopic: t => t == typeof(OrderSubmitted)));

        var topology = await provisioner.EnsureReceiveEndpointAsync("ledger.fifo", [typeof(OrderSubmitted)]);

        Assert.EndsWith("ledger_error.fifo", topology.ErrorQueue.Name);
        Assert.EndsWith("_Shop_Contracts_Orders-OrderSubmitted.fifo", topology.TopicArns[typeof(OrderSubmitted)]);
        var attributes = await env.Sqs.GetQueueAttributesAsync(topology.Queue.Url, ["FifoQueue"]);
        Assert.Equal("true", attributes.Attributes["FifoQueue"]);
    }

    [Fact]
    public async Task When_a_name_is_invalid_Should_fail_before_creating_anything()
    {
        var provisioner = NewProvisioner();

        await Assert.ThrowsAsync<ArgumentException>(() =>
            provisioner.EnsureReceiveEndpointAsync(new string('x', 80), [typeof(OrderSubmitted)]));

        var queues = await env.Sqs.ListQueuesAsync(new ListQueuesRequest { QueueNamePrefix = provisioner.Names.Prefix });
        Assert.Empty(queues.QueueUrls ?? []);
    }
}
