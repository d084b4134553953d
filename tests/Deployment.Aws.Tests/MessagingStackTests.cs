using Amazon.CDK.Assertions;
using Shop.Contracts.Orders;
using Shop.Deploy.Aws.Topology;
using Shop.Deployment.Aws.Tests.Infrastructure;
using Shop.Messaging.AmazonSqs.Transport;

namespace Shop.Deployment.Aws.Tests;

/// <summary>The SQS/SNS topology as synthesised: what the services need to run with <c>CreateResources=false</c>.</summary>
[Collection(SynthesisCollection.Name)]
public sealed class MessagingStackTests(EcsShop shop)
{
    readonly ShopTopology _topology = shop.Shop.Topology;

    IReadOnlyDictionary<string, string> QueueNamesByLogicalId() =>
        SynthesizedShop.Resources(shop.Messaging, "AWS::SQS::Queue")
            .ToDictionary(q => q.Key, q => q.Value["Properties"]!["QueueName"]!.GetValue<string>());

    [Fact]
    public void Should_create_a_queue_an_error_queue_and_a_skipped_queue_for_every_receive_endpoint()
    {
        var expected = _topology.Services.SelectMany(s => s.Endpoints)
            .SelectMany(e => new[] { _topology.Names.Queue(e.Name), _topology.Names.ErrorQueue(e.Name), _topology.Names.SkippedQueue(e.Name) })
            .Order(StringComparer.Ordinal);

        Assert.Equal(expected, QueueNamesByLogicalId().Values.Order(StringComparer.Ordinal));
        Assert.Contains("dev-process-payment", QueueNamesByLogicalId().Values);
        Assert.Contains("dev-process-payment_error", QueueNamesByLogicalId().Values);
    }

    [Fact]
    public void Should_redrive_every_receive_queue_to_its_own_error_queue()
    {
        var names = QueueNamesByLogicalId();
        var receiveQueues = SynthesizedShop.Resources(shop.Messaging, "AWS::SQS::Queue")
            .Where(q => !names[q.Key].EndsWith("_error", StringComparison.Ordinal) && !names[q.Key].EndsWith("_skipped", StringComparison.Ordinal))
            .ToList();

        Assert.Equal(_topology.Services.Sum(s => s.Endpoints.Count), receiveQueues.Count);
        foreach (var (id, queue) in receiveQueues)
        {
            var redrive = queue["Properties"]!["RedrivePolicy"];
            Assert.True(redrive is not null, $"{names[id]} has no redrive policy");
            var target = redrive!["deadLetterTargetArn"]!["Fn::GetAtt"]!.AsArray();
            Assert.Equal(names[id] + "_error", names[target[0]!.GetValue<string>()]);
            Assert.Equal(new AmazonSqsTransportOptions().MaxReceiveCount, SynthesizedShop.Int(redrive["maxReceiveCount"]!));
        }
    }

    [Fact]
    public void Should_subscribe_every_queue_with_raw_delivery()
    {
        shop.Messaging.AllResourcesProperties("AWS::SNS::Subscription", new Dictionary<string, object>
        {
            ["Protocol"] = "sqs",
            ["RawMessageDelivery"] = true,
        });
        Assert.NotEmpty(SynthesizedShop.Resources(shop.Messaging, "AWS::SNS::Subscription"));
    }

    [Fact]
    public void Should_subscribe_each_endpoint_to_the_topics_of_what_its_consumers_take()
    {
        var topics = SynthesizedShop.Resources(shop.Messaging, "AWS::SNS::Topic")
            .ToDictionary(t => t.Key, t => t.Value["Properties"]!["TopicName"]!.GetValue<string>());
        var queues = QueueNamesByLogicalId();
        var subscriptions = SynthesizedShop.Resources(shop.Messaging, "AWS::SNS::Subscription").Values
            .Select(s => (Topic: topics[s["Properties"]!["TopicArn"]!["Ref"]!.GetValue<string>()],
                Queue: queues[s["Properties"]!["Endpoint"]!["Fn::GetAtt"]![0]!.GetValue<string>()]))
            .ToHashSet();

        var expected = _topology.Services.SelectMany(s => s.Endpoints).Where(e => e.SubscribesToTopics)
            .SelectMany(e => e.ConsumedMessageTypes.Select(t => (Topic: _topology.Names.Topic(t), Queue: _topology.Names.Queue(e.Name))))
            .ToHashSet();

        Assert.Equal(expected.Order(), subscriptions.Order());
        // The transport's naming, spelled out once: a notification endpoint hears about confirmed orders.
        Assert.Contains(("dev_Shop_Contracts_Orders-OrderConfirmed", "dev-order-confirmed-notification"), subscriptions);
    }

    [Fact]
    public void Should_not_subscribe_the_upload_notification_queue_to_any_topic()
    {
        var queues = QueueNamesByLogicalId();
        var subscribed = SynthesizedShop.Resources(shop.Messaging, "AWS::SNS::Subscription").Values
            .Select(s => queues[s["Properties"]!["Endpoint"]!["Fn::GetAtt"]![0]!.GetValue<string>()]);

        Assert.DoesNotContain("dev-image-upload-notifications", subscribed);
        Assert.Contains("dev-image-upload-notifications", queues.Values);
    }

    [Fact]
    public void Should_read_the_topology_from_the_services_registrations()
    {
        var payments = _topology[ShopService.Payments];
        Assert.Equal(["process-payment", "refund-payment"], payments.Endpoints.Select(e => e.Name));

        var orderState = _topology[ShopService.Orders].Endpoints.Single(e => e.Name == "order-state");
        Assert.Contains(typeof(OrderSubmitted), orderState.ConsumedMessageTypes);
    }

    [Fact]
    public void Should_have_a_publisher_or_sender_for_every_message_an_endpoint_takes()
    {
        var published = _topology.Services.SelectMany(s => s.PublishedMessageTypes).ToHashSet();
        var sentTo = _topology.Services.SelectMany(s => s.SendsTo).ToHashSet();
        foreach (var service in _topology.Services)
        foreach (var endpoint in service.Endpoints.Where(e => e.SubscribesToTopics))
        foreach (var type in endpoint.ConsumedMessageTypes)
        {
            // A saga's own timeouts come back to it through the scheduler, never through a topic.
            if (IsScheduledBy(service, type) || sentTo.Contains(endpoint.Name)) continue;
            Assert.True(published.Contains(type),
                $"{service.Service}'s endpoint {endpoint.Name} takes {type.Name}, which no service is listed as publishing (ShopService.Publishes)");
        }
    }

    // The image saga is hosted by Orders.Api but lives in the Images module's assembly.
    static bool IsScheduledBy(ServiceTopology service, Type type) =>
        type.Assembly.GetName().Name == $"Shop.{service.Service.Project}" || type.Namespace?.EndsWith(".StateMachines", StringComparison.Ordinal) == true;

    [Fact]
    public void Should_encrypt_every_queue()
    {
        shop.Messaging.AllResourcesProperties("AWS::SQS::Queue", new Dictionary<string, object> { ["SqsManagedSseEnabled"] = true });
    }
}
