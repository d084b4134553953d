using System.Text.Json.Nodes;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Shop.AmazonSqs.Tests.Infrastructure;
using Shop.AmazonSqs.Tests.Transport;
using Shop.Messaging.AmazonSqs.Transport;
using Xunit;

namespace Shop.AmazonSqs.Tests.Conformance;

public sealed record PingRequest(Guid Id, string Text);

public sealed record PingReply(Guid Id, string Text);

/// <summary>Only the unprefixed tests use it: its topic has no scope, so no other test shares it.</summary>
public sealed record UnscopedPing(Guid Id);

/// <summary>Its topic is the attribute's name, unscoped, on both transports.</summary>
[EntityName("shop-conformance-entity-named")]
public sealed record EntityNamed(Guid Id);

public sealed class EntityNamedConsumer(MessageLogRegistry logs) : IConsumer<EntityNamed>
{
    public Task Consume(ConsumeContext<EntityNamed> context)
    {
        logs.Log.Add(context.Message);
        return Task.CompletedTask;
    }
}

public sealed class PingResponder : IConsumer<PingRequest>
{
    public Task Consume(ConsumeContext<PingRequest> context) => context.RespondAsync(new PingReply(context.Message.Id, "pong"));
}

public sealed class UnscopedPingConsumer(MessageLogRegistry logs) : IConsumer<UnscopedPing>
{
    public Task Consume(ConsumeContext<UnscopedPing> context)
    {
        logs.Log.Add(context.Message);
        return Task.CompletedTask;
    }
}

/// <summary>
/// Our endpoints on the wire with a service on MassTransit.AmazonSQS 8.5.8, played by <see cref="OfficialPeer"/> with
/// its exact requests (names, attributes, bodies) and read back the way its receiver reads: publish, send,
/// request/response both ways, faults to <c>_error</c>, FIFO, with a prefix (the official scope with ScopeTopics and
/// the same queue-name prefix) and without.
/// </summary>
public sealed class OfficialPeerWireTests(FauxqsEnvironment fauxqs) : IClassFixture<FauxqsEnvironment>
{
    readonly OfficialPeer _official = new(fauxqs);

    // The official topic of a type by its rules (AmazonSqsMessageNameFormatter.cs:57-61, AmazonSqsHostConfiguration.cs:57-61).
    static string OfficialTopic(Type type, string? scope) =>
        (scope is null ? "" : scope + "_") + type.Namespace!.Replace('.', '_') + "-" + type.Name;

    /// <summary>Our service, with prefix <c>{prefix}-</c> (scope <c>{prefix}</c>) or none.</summary>
    async Task<SqsBus> Ours(string? prefix, Action<IBusRegistrationConfigurator> configure, Dictionary<string, string?>? settings = null)
    {
        settings ??= [];
        if (prefix is null)
            settings["Messaging:AmazonSqs:Prefix"] = "";
        return await SqsBus.StartAsync(fauxqs, prefix ?? fauxqs.Name("unused"), configure, settings);
    }

    [Fact]
    public async Task An_official_publish_to_the_scoped_topic_reaches_our_subscribed_endpoint()
    {
        var prefix = fauxqs.Name("pub-in");
        await using var bus = await Ours(prefix, x => x.AddConsumer<PingConsumer>());
        var log = bus.Services.GetRequiredService<MessageLogRegistry>().Log;

        var id = Guid.NewGuid();
        await _official.Publish(OfficialTopic(typeof(PingSent), prefix), OfficialPeer.Envelope(typeof(PingSent), new PingSent(id, "from official"),
            _official.Address(fauxqs.Name("official-bus")), _official.TopicAddress(OfficialTopic(typeof(PingSent), prefix))));

        var seen = Assert.Single(await log.WaitFor<Seen<PingSent>>(s => s.Message.Id == id));
        Assert.Equal("from official", seen.Message.Text);
    }

    [Fact]
    public async Task Without_a_prefix_an_official_publish_to_the_plain_topic_reaches_our_endpoint()
    {
        var endpoint = fauxqs.Name("unscoped");
        await using var bus = await Ours(null, x => x.AddConsumer<UnscopedPingConsumer>().Endpoint(e => e.Name = endpoint));
        var log = bus.Services.GetRequiredService<MessageLogRegistry>().Log;

        var id = Guid.NewGuid();
        await _official.Publish(OfficialTopic(typeof(UnscopedPing), null), OfficialPeer.Envelope(typeof(UnscopedPing), new UnscopedPing(id),
            _official.Address(fauxqs.Name("official-bus")), _official.TopicAddress(OfficialTopic(typeof(UnscopedPing), null))));

        Assert.Single(await log.WaitFor<UnscopedPing>(p => p.Id == id));
    }

    // src/MassTransit.Abstractions/Topology/MessageEntityNameFormatter.cs:33-35: [EntityName] is the topic, and the scope
    // (a formatter wrapper) never applies to it.
    [Fact]
    public async Task A_type_with_an_entity_name_is_published_and_subscribed_under_that_name_in_a_scoped_environment()
    {
        var prefix = fauxqs.Name("named");
        var official = await _official.ReceiveEndpoint(fauxqs.Name("official-named"), topicNames: "shop-conformance-entity-named");
        await using var bus = await Ours(prefix, x => x.AddConsumer<EntityNamedConsumer>());
        var log = bus.Services.GetRequiredService<MessageLogRegistry>().Log;

        var fromOfficial = Guid.NewGuid();
        await _official.Publish("shop-conformance-entity-named", OfficialPeer.Envelope(typeof(EntityNamed), new EntityNamed(fromOfficial),
            _official.Address(fauxqs.Name("official-bus")), _official.TopicAddress("shop-conformance-entity-named")));
        Assert.Single(await log.WaitFor<EntityNamed>(m => m.Id == fromOfficial));

        var fromUs = Guid.NewGuid();
        await bus.Bus.Publish(new EntityNamed(fromUs));
        var received = await _official.Receive(official.Url, 2);
        Assert.Contains(received, r => r.Envelope["message"]!["id"]!.GetValue<Guid>() == fromUs);
        Assert.All(received, r => Assert.Equal(_official.TopicAddress("shop-conformance-entity-named"), r["destinationAddress"]));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Our_publish_reaches_an_official_endpoint_and_reads_as_an_envelope(bool prefixed)
    {
        var prefix = prefixed ? fauxqs.Name("pub-out") : null;
        var type = prefixed ? typeof(PingSent) : typeof(UnscopedPing);
        var topic = OfficialTopic(type, prefix);
        var official = await _official.ReceiveEndpoint(fauxqs.Name("official-sub"), topicNames: topic);
        await using var bus = await Ours(prefix, _ => { });

        var id = Guid.NewGuid();
        await bus.Bus.Publish(prefixed ? new PingSent(id, "to official") : new UnscopedPing(id));

        var received = Assert.Single(await _official.Receive(official.Url, 1));
        Assert.Equal(OfficialPeer.EnvelopeContentType, received.Attributes["Content-Type"]);
        Assert.Equal($"urn:message:{type.Namespace}:{type.Name}", received.Envelope["messageType"]![0]!.GetValue<string>());
        Assert.Equal(id, received.Envelope["message"]!["id"]!.GetValue<Guid>());
        Assert.Equal(_official.TopicAddress(topic), received["destinationAddress"]);
        Assert.DoesNotContain(received.Attributes.Keys, k => k.StartsWith("Shop-", StringComparison.Ordinal));
        Assert.InRange(received.Attributes.Count, 1, SqsTransportHeaders.MaxAttributes);
        // The source address names our bus queue literally, so an official reply to it lands there.
        Assert.StartsWith(prefix ?? "", OfficialPeer.QueueNameOf(received["sourceAddress"]!));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task An_official_request_to_our_queue_gets_our_response_at_its_literal_response_address(bool prefixed)
    {
        var prefix = prefixed ? fauxqs.Name("req-in") : null;
        var endpoint = prefixed ? "responder" : fauxqs.Name("responder");
        await using var bus = await Ours(prefix, x => x.AddConsumer<PingResponder>().Endpoint(e => e.Name = endpoint));
        var replies = await _official.ReceiveEndpoint(fauxqs.Name("official-bus"));
        var replyQueue = replies.Url[(replies.Url.LastIndexOf('/') + 1)..];

        // Our endpoint's queue is the prefix and the endpoint name; the official service addresses it literally.
        var ourQueue = (prefix is null ? "" : prefix + "-") + endpoint;
        var id = Guid.NewGuid();
        var requestId = Guid.NewGuid().ToString();
        await _official.Send(ourQueue, OfficialPeer.Envelope(typeof(PingRequest), new PingRequest(id, "ping"),
            _official.Address(replyQueue), _official.Address(ourQueue), e =>
            {
                e["requestId"] = requestId;
                e["responseAddress"] = _official.Address(replyQueue);
            }));

        var reply = Assert.Single(await _official.Receive(replies.Url, 1));
        Assert.Equal(requestId, reply["requestId"]);
        Assert.Equal($"urn:message:{typeof(PingReply).Namespace}:{nameof(PingReply)}", reply.Envelope["messageType"]![0]!.GetValue<string>());
        Assert.Equal(_official.Address(replyQueue), reply["destinationAddress"]);
        Assert.Equal(ourQueue, OfficialPeer.QueueNameOf(reply["sourceAddress"]!));
        Assert.Equal(OfficialPeer.EnvelopeContentType, reply.Attributes["Content-Type"]);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Our_request_to_an_official_queue_gets_the_official_response(bool prefixed)
    {
        var prefix = prefixed ? fauxqs.Name("req-out") : null;
        var officialQueue = fauxqs.Name("official-responder");
        var requests = await _official.ReceiveEndpoint(officialQueue);
        await using var bus = await Ours(prefix, _ => { });
        var client = bus.Bus.CreateRequestClient<PingRequest>(new Uri(_official.Address(officialQueue)), RequestTimeout.After(s: 60));

        var id = Guid.NewGuid();
        var response = client.GetResponse<PingReply>(new PingRequest(id, "ping"));

        // The official responder: reads the request, resolves the response address by its own rules and sends there.
        var request = Assert.Single(await _official.Receive(requests.Url, 1));
        var responseQueue = OfficialPeer.QueueNameOf(request["responseAddress"]!);
        if (prefix is not null)
            Assert.StartsWith(prefix + "-", responseQueue);
        await _official.Send(responseQueue, OfficialPeer.Envelope(typeof(PingReply), new PingReply(id, "official pong"),
            _official.Address(officialQueue), request["responseAddress"]!, e => e["requestId"] = request["requestId"]));

        Assert.Equal("official pong", (await response).Message.Text);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_fault_of_an_official_send_goes_to_our_error_queue_as_an_official_reader_expects(bool prefixed)
    {
        var prefix = prefixed ? fauxqs.Name("fault") : null;
        var endpoint = prefixed ? "always-fails" : fauxqs.Name("always-fails");
        await using var bus = await Ours(prefix, x => x.AddConsumer<AlwaysFailsConsumer>().Endpoint(e => e.Name = endpoint),
            new Dictionary<string, string?> { ["Messaging:AmazonSqs:PackHeaders"] = "false" });
        var queue = (prefix is null ? "" : prefix + "-") + endpoint;

        var envelope = OfficialPeer.Envelope(typeof(AlwaysFails), new AlwaysFails(Guid.NewGuid()), _official.Address(fauxqs.Name("official-bus")),
            _official.Address(queue));
        await _official.Send(queue, envelope);

        // MassTransit's error queue name: the queue's own name and "_error" (DefaultErrorQueueNameFormatter.cs:6).
        var error = (await fauxqs.Sqs.GetQueueUrlAsync(queue + "_error")).QueueUrl;
        var moved = Assert.Single(await _official.Receive(error, 1));
        Assert.Equal(envelope["messageId"]!.GetValue<string>(), moved["messageId"]);
        Assert.InRange(moved.Attributes.Count, 1, SqsTransportHeaders.MaxAttributes);
        Assert.DoesNotContain(SqsTransportHeaders.Overflow, moved.Attributes.Keys);
        Assert.Equal("System.InvalidOperationException", moved.Attributes["MT-Fault-ExceptionType"]);
        Assert.Contains("on purpose", moved.Attributes["MT-Fault-Message"]);
        Assert.Equal(OfficialPeer.EnvelopeContentType, moved.Attributes["Content-Type"]);
    }

    [Fact]
    public async Task Official_fifo_sends_with_their_group_ids_are_consumed_in_group_order()
    {
        var prefix = fauxqs.Name("fifo-in");
        await using var bus = await Ours(prefix, x => x.AddConsumer<OrderedStepConsumer>().Endpoint(e => e.Name = "steps.fifo"));
        var log = bus.Services.GetRequiredService<MessageLogRegistry>().Log;
        var queue = prefix + "-steps.fifo";

        var run = Guid.NewGuid();
        string[] groups = ["a", "b", "c"];
        await Task.WhenAll(groups.Select(async group =>
        {
            for (var sequence = 0; sequence < 8; sequence++)
            {
                var envelope = OfficialPeer.Envelope(typeof(OrderedStep), new OrderedStep(run, group, sequence),
                    _official.Address(fauxqs.Name("official-bus")), _official.Address(queue));
                // The official transport sends no group or deduplication id unless the sender sets them (QueueSendTransportContext.cs:91-95).
                await _official.Send(queue, envelope, groupId: group, deduplicationId: envelope["messageId"]!.GetValue<string>());
            }
        }));

        var seen = await log.WaitFor<Seen<OrderedStep>>(s => s.Message.Id == run, count: 24, TimeSpan.FromSeconds(60));
        foreach (var group in groups)
            Assert.Equal(Enumerable.Range(0, 8), seen.Where(s => s.Message.Group == group).Select(s => s.Message.Sequence));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Our_fifo_send_carries_the_group_and_deduplication_ids_an_official_receiver_reads(bool idDefaults)
    {
        var prefix = fauxqs.Name("fifo-out");
        var officialQueue = fauxqs.Name("official-steps", fifo: true);
        var (url, _) = await fauxqs.CreateQueue(officialQueue, new Dictionary<string, string> { ["ContentBasedDeduplication"] = "true" });
        await using var bus = await Ours(prefix, _ => { },
            new Dictionary<string, string?> { ["Messaging:AmazonSqs:FifoIdDefaults"] = idDefaults.ToString() });
        var endpoint = await bus.Bus.GetSendEndpoint(new Uri(_official.Address(officialQueue)));

        Guid? messageId = null;
        await endpoint.Send(new OrderedStep(Guid.NewGuid(), "g", 0), ctx =>
        {
            messageId = ctx.MessageId;
            ((PartitionKeySendContext)ctx).PartitionKey = "g";
        });

        var received = Assert.Single(await _official.Receive(url, 1));
        Assert.Equal("g", received.Message.Attributes["MessageGroupId"]);
        // With our defaults the deduplication id is the message id; without, SQS derives it from the body, as for an official send.
        if (idDefaults)
            Assert.Equal(messageId!.Value.ToString("D"), received.Message.Attributes["MessageDeduplicationId"]);
        else
            Assert.NotEqual(messageId!.Value.ToString("D"), received.Message.Attributes.GetValueOrDefault("MessageDeduplicationId"));
    }

    [Fact]
    public async Task A_queue_an_official_service_created_is_adopted_with_its_visibility_timeout_and_policy()
    {
        var prefix = fauxqs.Name("shared");
        var otherTopic = prefix + "_Some_Official-Event";
        var queue = prefix + "-ping";
        var official = await _official.ReceiveEndpoint(queue, visibilityTimeout: 45, topicNames: otherTopic);

        await using var bus = await Ours(prefix, x => x.AddConsumer<PingConsumer>());
        var log = bus.Services.GetRequiredService<MessageLogRegistry>().Log;

        var attributes = (await fauxqs.Sqs.GetQueueAttributesAsync(official.Url, ["VisibilityTimeout", "Policy"])).Attributes;
        Assert.Equal("45", attributes["VisibilityTimeout"]);
        var sources = JsonNode.Parse(attributes["Policy"])!["Statement"]!.AsArray()
            .SelectMany(s => s!["Condition"]?["ArnLike"]?["aws:SourceArn"]?.AsArray() ?? [])
            .Select(v => v!.GetValue<string>()).ToList();
        Assert.Contains(sources, arn => arn.EndsWith(":" + otherTopic, StringComparison.Ordinal));
        Assert.Contains(sources, arn => arn.EndsWith(":" + OfficialTopic(typeof(PingSent), prefix), StringComparison.Ordinal));

        var id = Guid.NewGuid();
        await bus.Bus.Publish(new PingSent(id, "shared queue"));
        Assert.Single(await log.WaitFor<Seen<PingSent>>(s => s.Message.Id == id));
    }

    [Fact]
    public async Task With_long_delays_not_refused_a_delay_past_15_minutes_is_cut_to_900_seconds_as_officially()
    {
        var prefix = fauxqs.Name("delay");
        var (url, _) = await fauxqs.CreateQueue(fauxqs.Name("official-delayed"));
        await using var bus = await Ours(prefix, _ => { },
            new Dictionary<string, string?> { ["Messaging:AmazonSqs:RefuseLongDelays"] = "false" });
        var endpoint = await bus.Bus.GetSendEndpoint(new Uri(_official.Address(url[(url.LastIndexOf('/') + 1)..])));

        await endpoint.Send(new PingSent(Guid.NewGuid(), "much later"), ctx => ctx.Delay = TimeSpan.FromMinutes(16));

        var delayed = (await fauxqs.Sqs.GetQueueAttributesAsync(url, ["ApproximateNumberOfMessagesDelayed"])).Attributes;
        Assert.Equal("1", delayed["ApproximateNumberOfMessagesDelayed"]);
    }

    [Fact]
    public async Task With_the_claim_check_off_a_body_too_large_for_SQS_fails_its_send_with_the_reason()
    {
        var prefix = fauxqs.Name("no-claim");
        await using var bus = await Ours(prefix, _ => { },
            new Dictionary<string, string?> { ["Messaging:AmazonSqs:ClaimCheck"] = "false" });
        var endpoint = await bus.Bus.GetSendEndpoint(new Uri("queue:big-documents"));

        var refused = await Assert.ThrowsAsync<NotSupportedException>(() =>
            endpoint.Send(new BigDocument(Guid.NewGuid(), new string('x', 300 * 1024))));
        Assert.Contains("ClaimCheck=false", refused.Message);
    }
}
