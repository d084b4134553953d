using System.Text;
using System.Text.Json;
using Amazon.SQS.Model;
using RabbitMQ.Client;
using Shop.Cli.Tests.Infrastructure;
using Shop.Contracts.Orders;
using Shop.Contracts.Payments;
using Shop.Contracts.Stock;
using Shop.Messaging.AmazonSqs.Sns;
using Shop.Messaging.AmazonSqs.Topology;
using Shop.Testing;

namespace Shop.Cli.Tests;

public sealed class When_a_producer_without_MassTransit_uses_RabbitMq(RabbitMqBroker broker) : PlainJsonProducerTests(broker), IClassFixture<RabbitMqBroker>
{
    protected override bool TransportHasMessageIds => false;

    protected override async Task Publish(Type messageType, string body, string? typeHeader) =>
        await Amqp(exchange: $"{messageType.Namespace}:{messageType.Name}", routingKey: "", body, typeHeader, messageId: Guid.NewGuid());

    protected override async Task Send(string endpoint, string body, string? typeHeader, Guid? messageId) =>
        await Amqp(exchange: "", routingKey: endpoint, body, typeHeader, messageId);

    /// <summary>Plain RabbitMQ.Client, as any AMQP producer would do it: a content type, maybe a type header, the JSON.</summary>
    async Task Amqp(string exchange, string routingKey, string body, string? typeHeader, Guid? messageId)
    {
        await using var connection = await new ConnectionFactory { Uri = broker.Url }.CreateConnectionAsync();
        await using var channel = await connection.CreateChannelAsync(new CreateChannelOptions(true, true));
        var properties = new BasicProperties { ContentType = "application/json", Persistent = true, MessageId = messageId?.ToString() };
        if (typeHeader is not null)
            properties.Headers = new Dictionary<string, object?> { ["MT-MessageType"] = Encoding.UTF8.GetBytes(typeHeader) };
        await channel.BasicPublishAsync(exchange, routingKey, mandatory: true, properties, Encoding.UTF8.GetBytes(body));
    }
}

public sealed class When_a_producer_without_MassTransit_uses_AmazonSqs(AmazonSqsBroker broker) : PlainJsonProducerTests(broker), IClassFixture<AmazonSqsBroker>
{
    protected override bool TransportHasMessageIds => true;

    /// <summary>SNS Publish to the type's topic, as <c>aws sns publish</c> does, through our own SNS client.</summary>
    protected override async Task Publish(Type messageType, string body, string? typeHeader)
    {
        using var http = new HttpClient();
        var sns = new SnsClient(http, new SnsClientOptions
        {
            ServiceUrl = new Uri(broker.Settings()["Messaging:AmazonSqs:ServiceUrl"]!),
            Region = TestTransport.Region,
            Credentials = new Amazon.Runtime.BasicAWSCredentials(Environment.GetEnvironmentVariable("AWS_ACCESS_KEY_ID"), Environment.GetEnvironmentVariable("AWS_SECRET_ACCESS_KEY")),
        });
        var topicArn = await sns.CreateTopicAsync(new AmazonSqsEntityNames(broker.Prefix).Topic(messageType));
        var attributes = new Dictionary<string, SnsMessageAttribute>
        {
            ["Content-Type"] = SnsMessageAttribute.String("application/json"),
            ["MessageId"] = SnsMessageAttribute.String(Guid.NewGuid().ToString()),
        };
        if (typeHeader is not null)
            attributes["MT-MessageType"] = SnsMessageAttribute.String(typeHeader);
        await sns.PublishAsync(new SnsPublishRequest(topicArn, body) { MessageAttributes = attributes });
    }

    /// <summary>SQS SendMessage, as <c>aws sqs send-message</c> or boto3 does.</summary>
    protected override async Task Send(string endpoint, string body, string? typeHeader, Guid? messageId)
    {
        var url = (await broker.Sqs.GetQueueUrlAsync(broker.Prefix + endpoint)).QueueUrl;
        var attributes = new Dictionary<string, MessageAttributeValue>
        {
            ["Content-Type"] = new() { DataType = "String", StringValue = "application/json" },
        };
        if (typeHeader is not null)
            attributes["MT-MessageType"] = new() { DataType = "String", StringValue = typeHeader };
        if (messageId is not null)
            attributes["MessageId"] = new() { DataType = "String", StringValue = messageId.ToString() };
        await broker.Sqs.SendMessageAsync(new SendMessageRequest { QueueUrl = url, MessageBody = body, MessageAttributes = attributes });
    }
}

public abstract class PlainJsonProducerTests(Broker broker)
{
    readonly ShopCommandLine _shop = new(broker);

    protected abstract Task Publish(Type messageType, string body, string? typeHeader);

    protected abstract Task Send(string endpoint, string body, string? typeHeader, Guid? messageId);

    /// <summary>
    /// SQS gives every message an id of its own (a UUID, the same on each redelivery), which stands in for a missing
    /// MessageId attribute; AMQP has none, so there the producer must send one.
    /// </summary>
    protected abstract bool TransportHasMessageIds { get; }

    static string OrderJson(Guid orderId) => JsonSerializer.Serialize(new
    {
        orderId, customerId = Guid.NewGuid(), email = "ada@example.com", items = new[] { new { sku = "MUG-001", quantity = 1, unitPrice = 9.5m } },
        total = 9.5m, currency = "EUR", submittedAt = DateTime.UtcNow,
    });

    [Fact]
    public async Task Should_consume_plain_json_published_and_sent_typed_by_header_or_by_the_endpoint()
    {
        await using var probe = new ProbeService(broker);
        await probe.Start();
        Guid submitted = Guid.NewGuid(), paid = Guid.NewGuid(), reserved = Guid.NewGuid();

        // Untyped, to endpoints of one message type each.
        await Publish(typeof(OrderSubmitted), OrderJson(submitted), typeHeader: null);
        var paymentId = Guid.NewGuid();
        await Send(ProbeService.PaymentEndpoint, JsonSerializer.Serialize(new { orderId = paid, amount = 3m, currency = "EUR", cardToken = "tok_visa" }),
            typeHeader: null, paymentId);
        // Typed by its header, to an endpoint of two.
        await Send(ProbeService.StockEndpoint, JsonSerializer.Serialize(new { orderId = reserved }), "urn:message:Shop.Contracts.Stock:StockReserved", Guid.NewGuid());

        Assert.Equal("MUG-001", (await probe.Consumed.WaitFor<Received<OrderSubmitted>>(r => r.Message.OrderId == submitted)).Single().Message.Items[0].Sku);
        var payment = (await probe.Consumed.WaitFor<Received<ProcessPayment>>(r => r.Message.OrderId == paid)).Single();
        Assert.Equal(3m, payment.Message.Amount);
        Assert.Equal(paymentId, payment.MessageId);
        await probe.Consumed.WaitFor<Received<StockReserved>>(r => r.Message.OrderId == reserved);
        Assert.Empty(probe.Consumed.All<Received<StockReleased>>(r => r.Message.OrderId == reserved));
    }

    [Fact]
    public async Task Should_fault_malformed_or_untyped_plain_json_to_the_error_queue_with_the_reason()
    {
        await using var probe = new ProbeService(broker);
        await probe.Start();

        await Send(ProbeService.PaymentEndpoint, "{\"orderId\": ", typeHeader: null, Guid.NewGuid());
        await Send(ProbeService.StockEndpoint, JsonSerializer.Serialize(new { orderId = Guid.NewGuid() }), typeHeader: null, Guid.NewGuid());
        var anonymousOrder = Guid.NewGuid();
        await Send(ProbeService.OrderEndpoint, OrderJson(anonymousOrder), "urn:message:Shop.Contracts.Orders:OrderSubmitted", messageId: null);

        var malformed = await ErrorMessages(ProbeService.PaymentEndpoint);
        Assert.Contains("JSON", malformed.GetProperty("exceptionMessage").GetString() + malformed.GetProperty("exceptionType").GetString(),
            StringComparison.OrdinalIgnoreCase);
        var untyped = await ErrorMessages(ProbeService.StockEndpoint);
        Assert.Equal(typeof(Shop.Messaging.PlainJsonMessageException).FullName, untyped.GetProperty("exceptionType").GetString());
        Assert.Contains("MT-MessageType", untyped.GetProperty("exceptionMessage").GetString());
        if (TransportHasMessageIds)
            Assert.NotNull((await probe.Consumed.WaitFor<Received<OrderSubmitted>>(r => r.Message.OrderId == anonymousOrder)).Single().MessageId);
        else
        {
            var anonymous = await ErrorMessages(ProbeService.OrderEndpoint);
            Assert.Contains("needs a MessageId header", anonymous.GetProperty("exceptionMessage").GetString());
            Assert.Empty(probe.Consumed.All<Received<OrderSubmitted>>());
        }
        Assert.Empty(probe.Consumed.All<Received<StockReserved>>());
        Assert.Empty(probe.Consumed.All<Received<StockReleased>>());
    }

    async Task<JsonElement> ErrorMessages(string endpoint) =>
        await Eventually.Returns(async () =>
        {
            var result = await _shop.Run("errors", "list", endpoint, "--output", "json");
            return result.ExitCode == 0
                ? JsonDocument.Parse(result.Output).RootElement[0].GetProperty("messages").EnumerateArray().SingleOrDefault()
                : default;
        }, message => message.ValueKind == JsonValueKind.Object, $"one message in {endpoint}_error");
}
