using System.Text.Json;
using System.Text.Json.Nodes;
using Amazon.SQS.Model;
using Shop.AmazonSqs.Tests.Infrastructure;
using Shop.Messaging.AmazonSqs.Sns;

namespace Shop.AmazonSqs.Tests.Conformance;

/// <summary>
/// A service on MassTransit.AmazonSQS 8.5.8, played with raw AWSSDK.SQS calls and our SNS client: the requests it makes
/// and the bodies and attributes it writes, as its source does (paths relative to src/Transports/MassTransit.AmazonSqsTransport
/// at tag v8.5.8), and messages read back the way its receiver reads them. Nothing here uses our transport's code.
/// </summary>
public sealed class OfficialPeer(FauxqsEnvironment fauxqs, string region = "us-east-1")
{
    public const string EnvelopeContentType = "application/vnd.masstransit+json";

    /// <summary>
    /// Its input address for a queue: amazonsqs://{region}/{literal queue name}
    /// (AmazonSqsEndpointAddress.cs:122-136; the scope is left out, the name is never altered).
    /// </summary>
    public string Address(string queueName) => $"amazonsqs://{region}/{queueName}";

    /// <summary>A topic address: AmazonSqsEndpointAddress.cs:128 (no scope in the path) and :171-172 (?type=topic).</summary>
    public string TopicAddress(string topicName) => $"amazonsqs://{region}/{topicName}?type=topic";

    /// <summary>
    /// A receive endpoint's queue as QueueCache.cs:48-66 and :88-123 make it (look up, else create with the endpoint's
    /// attributes; QueueReceiveSettings.cs:19 gives VisibilityTimeout 30 unless configured), subscribed with raw
    /// delivery to <paramref name="topicNames"/> (AmazonSqsClientContext.cs:53-76), its policy merged by
    /// QueueInfo.cs:80-143 (one statement, ArnLike aws:SourceArn).
    /// </summary>
    public async Task<(string Url, string Arn)> ReceiveEndpoint(string queueName, int visibilityTimeout = 30, params string[] topicNames)
    {
        var attributes = new Dictionary<string, string> { ["VisibilityTimeout"] = visibilityTimeout.ToString(System.Globalization.CultureInfo.InvariantCulture) };
        if (queueName.EndsWith(".fifo", StringComparison.OrdinalIgnoreCase))
            attributes["FifoQueue"] = "true";
        string url;
        try
        {
            url = (await fauxqs.Sqs.GetQueueUrlAsync(queueName)).QueueUrl;
        }
        catch (QueueDoesNotExistException)
        {
            url = (await fauxqs.Sqs.CreateQueueAsync(new CreateQueueRequest { QueueName = queueName, Attributes = attributes })).QueueUrl;
        }

        var arn = (await fauxqs.Sqs.GetQueueAttributesAsync(url, ["QueueArn"])).Attributes["QueueArn"];
        foreach (var topicName in topicNames)
        {
            var topicArn = await fauxqs.Sns.CreateTopicAsync(topicName);
            await fauxqs.Sns.SubscribeAsync(topicArn, "sqs", arn, new Dictionary<string, string> { ["RawMessageDelivery"] = "true" });
            await AllowTopic(url, arn, topicArn);
        }

        return (url, arn);
    }

    /// <summary>The statement QueueInfo.cs:100-118 writes when the queue has none: written out here, not with our code.</summary>
    async Task AllowTopic(string url, string queueArn, string topicArn)
    {
        var policy = (await fauxqs.Sqs.GetQueueAttributesAsync(url, ["Policy"])).Attributes.GetValueOrDefault("Policy");
        var document = string.IsNullOrEmpty(policy) ? new JsonObject { ["Version"] = "2012-10-17", ["Statement"] = new JsonArray() } : JsonNode.Parse(policy)!.AsObject();
        var statements = document["Statement"]!.AsArray();
        var statement = statements.OfType<JsonObject>().FirstOrDefault(s => s["Sid"]?.GetValue<string>() == "official");
        if (statement is null)
        {
            statement = new JsonObject
            {
                ["Sid"] = "official",
                ["Effect"] = "Allow",
                ["Principal"] = new JsonObject { ["Service"] = new JsonArray("sns.amazonaws.com") },
                ["Action"] = new JsonArray("sqs:SendMessage"),
                ["Resource"] = new JsonArray(queueArn),
                ["Condition"] = new JsonObject { ["ArnLike"] = new JsonObject { ["aws:SourceArn"] = new JsonArray() } },
            };
            statements.Add(statement);
        }
        statement["Condition"]!["ArnLike"]!["aws:SourceArn"]!.AsArray().Add(topicArn);
        await fauxqs.Sqs.SetQueueAttributesAsync(url, new Dictionary<string, string> { ["Policy"] = document.ToJsonString() });
    }

    /// <summary>
    /// A MassTransit JSON envelope as its serializer writes it (camelCase; the message type as
    /// urn:message:{namespace}:{name}); <paramref name="extra"/> sets requestId, responseAddress and the like.
    /// </summary>
    public static JsonObject Envelope(Type messageType, object message, string sourceAddress, string destinationAddress,
        Action<JsonObject>? extra = null)
    {
        var envelope = new JsonObject
        {
            ["messageId"] = Guid.NewGuid().ToString(),
            ["conversationId"] = Guid.NewGuid().ToString(),
            ["sourceAddress"] = sourceAddress,
            ["destinationAddress"] = destinationAddress,
            ["messageType"] = new JsonArray($"urn:message:{messageType.Namespace}:{messageType.Name}"),
            ["message"] = JsonSerializer.SerializeToNode(message, new JsonSerializerOptions(JsonSerializerDefaults.Web)),
            ["sentTime"] = DateTime.UtcNow.ToString("O"),
            ["headers"] = new JsonObject(),
            ["host"] = new JsonObject { ["machineName"] = "official-peer", ["massTransitVersion"] = "8.5.8.0" },
        };
        extra?.Invoke(envelope);
        return envelope;
    }

    /// <summary>
    /// A send as QueueSendTransportContext.cs:81-101 makes it: the body, headers and Content-Type and CorrelationId as
    /// String attributes, group and deduplication ids only when set (:91-95), to the queue looked up by name.
    /// </summary>
    public async Task Send(string queueName, JsonObject envelope, string? groupId = null, string? deduplicationId = null)
    {
        var url = (await fauxqs.Sqs.GetQueueUrlAsync(queueName)).QueueUrl;
        var request = new SendMessageRequest
        {
            QueueUrl = url,
            MessageBody = envelope.ToJsonString(),
            MessageAttributes = new Dictionary<string, MessageAttributeValue>
            {
                ["Content-Type"] = new() { DataType = "String", StringValue = EnvelopeContentType },
            },
        };
        if (envelope["correlationId"]?.GetValue<string>() is { } correlationId)
            request.MessageAttributes["CorrelationId"] = new() { DataType = "String", StringValue = correlationId };
        if (groupId is not null) request.MessageGroupId = groupId;
        if (deduplicationId is not null) request.MessageDeduplicationId = deduplicationId;
        await fauxqs.Sqs.SendMessageAsync(request);
    }

    /// <summary>A publish as TopicSendTransportContext.cs:81-97 makes it (the topic created by name first, TopicCache).</summary>
    public async Task Publish(string topicName, JsonObject envelope)
    {
        var topicArn = await fauxqs.Sns.CreateTopicAsync(topicName);
        await fauxqs.Sns.PublishAsync(new SnsPublishRequest(topicArn, envelope.ToJsonString())
        {
            MessageAttributes = new Dictionary<string, SnsMessageAttribute> { ["Content-Type"] = SnsMessageAttribute.String(EnvelopeContentType) },
        });
    }

    /// <summary>
    /// Messages as its receiver reads them (AmazonSqsClientContext.cs:193-212: all system and message attributes), the
    /// body parsed as SqsMessageBody.cs does; deleted after reading.
    /// </summary>
    public async Task<List<Received>> Receive(string queueUrl, int count, TimeSpan? timeout = null) =>
        (await fauxqs.Receive(queueUrl, count, timeout ?? TimeSpan.FromSeconds(30)))
        .Select(m => new Received(m, JsonNode.Parse(m.Body!)!.AsObject(),
            m.MessageAttributes.ToDictionary(a => a.Key, a => a.Value.StringValue ?? "", StringComparer.Ordinal)))
        .ToList();

    /// <summary>
    /// The queue a received address points to, as the official transport resolves it: the last path segment of an
    /// amazonsqs:// address (AmazonSqsEndpointAddress.cs:50-55), used literally with GetQueueUrl (QueueCache.cs:125-137).
    /// </summary>
    public static string QueueNameOf(string address)
    {
        var uri = new Uri(address);
        if (uri.Scheme != "amazonsqs") throw new FormatException($"'{address}' is not an amazonsqs:// address.");
        return uri.AbsolutePath.Trim('/').Split('/')[^1];
    }

    public sealed record Received(Message Message, JsonObject Envelope, Dictionary<string, string> Attributes)
    {
        public string? this[string property] => Envelope[property]?.GetValue<string>();
    }
}
