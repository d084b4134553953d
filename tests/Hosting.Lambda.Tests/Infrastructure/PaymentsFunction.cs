using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Amazon.SQS;
using Amazon.SQS.Model;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Shop.Contracts.Payments;
using Shop.Messaging.AmazonSqs.Transport;
using Shop.Testing;

namespace Shop.Hosting.Lambda.Tests.Infrastructure;

/// <summary>
/// The real Payments worker running as a Lambda function against <see cref="RuntimeApiPeer"/>, on fauxqs and a
/// PostgreSQL database of its own; beside it a bus of our SQS transport that produces the commands (whose SQS messages
/// become the records of the events) and hears the outcomes the worker publishes. One per test class.
/// </summary>
public sealed class PaymentsFunction : IAsyncLifetime
{
    readonly string _prefix = $"l{Guid.NewGuid():N}"[..12] + "-";
    ServiceProvider? _bus;
    IBusControl? _busControl;
    AmazonSQSClient _sqs = null!;

    public RuntimeApiPeer Runtime { get; private set; } = null!;
    public WorkerProcess Worker { get; private set; } = null!;
    public Uri Fauxqs { get; private set; } = null!;
    public ConcurrentBag<PaymentCompleted> Completed { get; } = [];

    public string QueueName => _prefix + "process-payment";

    TestDatabase _database = null!;

    public string ConnectionString => _database.ConnectionString;

    public async Task InitializeAsync()
    {
        _database = await TestDatabase.CreateAsync();
        Fauxqs = await TestTransport.AwsEndpoint();
        _sqs = TestTransport.CreateSqsClient(Fauxqs);
        Runtime = await RuntimeApiPeer.StartAsync();
        Worker = WorkerProcess.Start("Shop.Payments.Worker.dll", WorkerEnvironment(Runtime.Endpoint, ConnectionString));

        var initialised = await Task.WhenAny(Runtime.Initialised, Runtime.InitError, Task.Delay(TimeSpan.FromMinutes(2)));
        if (initialised != Runtime.Initialised)
            throw new InvalidOperationException($"The worker did not ask for an invocation.\n{Worker.Output}");

        var services = new ServiceCollection();
        services.AddLogging();
        services.AddMassTransit(x =>
        {
            x.AddConsumer<CompletedObserver>();
            x.UsingShopAmazonSqs(TransportOptions(), (context, cfg) => cfg.ConfigureEndpoints(context, new KebabCaseEndpointNameFormatter("lambda-test", false)));
        });
        services.AddSingleton(Completed);
        _bus = services.BuildServiceProvider();
        _busControl = _bus.GetRequiredService<IBusControl>();
        await _busControl.StartAsync(new CancellationTokenSource(TimeSpan.FromMinutes(1)).Token);
    }

    AmazonSqsTransportOptions TransportOptions() => new()
    {
        ServiceUrl = Fauxqs.ToString(),
        Region = TestTransport.Region,
        Prefix = _prefix,
        WaitTimeSeconds = 1,
    };

    public Dictionary<string, string?> WorkerEnvironment(string runtimeEndpoint, string connectionString) => new()
    {
        ["AWS_LAMBDA_RUNTIME_API"] = runtimeEndpoint,
        ["ASPNETCORE_URLS"] = "http://127.0.0.1:0",
        ["DOTNET_ENVIRONMENT"] = "Production",
        ["Messaging__Transport"] = "AmazonSqs",
        ["Messaging__AmazonSqs__ServiceUrl"] = Fauxqs.ToString(),
        ["Messaging__AmazonSqs__Region"] = TestTransport.Region,
        ["Messaging__AmazonSqs__Prefix"] = _prefix,
        ["ConnectionStrings__Payments"] = connectionString,
        ["Payments__Gateway__Latency"] = "00:00:00",
        ["Payments__Gateway__FlakyFailures"] = "2",
        ["Payments__Gateway__Resilience__CircuitBreakerMinimumThroughput"] = "100000",
        // Only the host's flush before each answer sends the outbox: no delivery right after commit, no background
        // service (a frozen environment runs neither), so the tests show what the flush alone delivers.
        ["Messaging__DurableStore__DeliverAfterCommit"] = "false",
        ["Messaging__DurableStore__DeliveryEnabled"] = "false",
        ["Logging__LogLevel__Default"] = "Information",
        ["Logging__LogLevel__Microsoft"] = "Warning",
    };

    /// <summary>Sends the commands with our transport, then takes their SQS messages off the queue as SQS records.</summary>
    public async Task<List<JsonObject>> ProduceRecords(IReadOnlyList<ProcessPayment> commands)
    {
        var endpoint = await _busControl!.GetSendEndpoint(new Uri("queue:process-payment"));
        foreach (var command in commands)
            await endpoint.Send(command);

        var url = (await _sqs.GetQueueUrlAsync(QueueName)).QueueUrl;
        var arn = (await _sqs.GetQueueAttributesAsync(url, ["QueueArn"])).Attributes["QueueArn"];
        var records = new List<JsonObject>();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (records.Count < commands.Count && DateTime.UtcNow < deadline)
        {
            var received = await _sqs.ReceiveMessageAsync(new ReceiveMessageRequest
            {
                QueueUrl = url,
                MaxNumberOfMessages = 10,
                WaitTimeSeconds = 1,
                // Taken for good: the function's event source mapping would hold them this way while it is invoked.
                VisibilityTimeout = 600,
                MessageAttributeNames = ["All"],
                MessageSystemAttributeNames = ["All"],
            });
            records.AddRange((received.Messages ?? []).Select(m => ToRecord(m, arn)));
        }

        Assert.True(records.Count == commands.Count, $"{records.Count} of {commands.Count} commands reached {QueueName}");
        return records;
    }

    /// <summary>The record shape AWS documents for SQS events (<c>Records[]</c> of an SQS event source mapping).</summary>
    static JsonObject ToRecord(Message message, string queueArn)
    {
        var attributes = new JsonObject();
        foreach (var (name, value) in message.Attributes ?? [])
            attributes[name] = value;
        var messageAttributes = new JsonObject();
        foreach (var (name, value) in message.MessageAttributes ?? [])
        {
            messageAttributes[name] = new JsonObject
            {
                ["stringValue"] = value.StringValue,
                ["stringListValues"] = new JsonArray(),
                ["binaryListValues"] = new JsonArray(),
                ["dataType"] = value.DataType,
            };
        }

        return new JsonObject
        {
            ["messageId"] = message.MessageId,
            ["receiptHandle"] = message.ReceiptHandle,
            ["body"] = message.Body,
            ["attributes"] = attributes,
            ["messageAttributes"] = messageAttributes,
            ["md5OfBody"] = message.MD5OfBody,
            ["eventSource"] = "aws:sqs",
            ["eventSourceARN"] = queueArn,
            ["awsRegion"] = TestTransport.Region,
        };
    }

    /// <summary>Bodies of what is in the endpoint's <c>_error</c> queue now (taken off it).</summary>
    public async Task<List<string>> TakeErrors()
    {
        var url = (await _sqs.GetQueueUrlAsync(QueueName + "_error")).QueueUrl;
        var received = await _sqs.ReceiveMessageAsync(new ReceiveMessageRequest { QueueUrl = url, MaxNumberOfMessages = 10, WaitTimeSeconds = 1 });
        return (received.Messages ?? []).Select(m => m.Body).ToList();
    }

    public static JsonObject Event(IEnumerable<JsonObject> records) =>
        new() { ["Records"] = new JsonArray(records.Select(r => (JsonNode)r.DeepClone()).ToArray()) };

    public async Task<int> Payments(Guid orderId) => await Count("SELECT count(*) FROM payments WHERE order_id = @id", orderId);

    /// <summary>Outbox units not yet sent (rows are deleted once their messages are out).</summary>
    public async Task<int> OutboxBacklog() => await Count("SELECT count(*) FROM outbox_state", null);

    async Task<int> Count(string sql, Guid? orderId)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        if (orderId is { } id)
            command.Parameters.AddWithValue("id", id);
        return Convert.ToInt32(await command.ExecuteScalarAsync());
    }

    public async Task DisposeAsync()
    {
        if (_busControl is not null) await _busControl.StopAsync();
        if (_bus is not null) await _bus.DisposeAsync();
        if (Worker is not null) await Worker.DisposeAsync();
        if (Runtime is not null) await Runtime.DisposeAsync();
        if (_sqs is not null)
        {
            foreach (var url in (await _sqs.ListQueuesAsync(_prefix)).QueueUrls ?? [])
                await _sqs.DeleteQueueAsync(url);
            _sqs.Dispose();
        }
        if (_database is not null) await _database.DisposeAsync();
    }

    public sealed class CompletedObserver(ConcurrentBag<PaymentCompleted> completed) : IConsumer<PaymentCompleted>
    {
        public Task Consume(ConsumeContext<PaymentCompleted> context)
        {
            completed.Add(context.Message);
            return Task.CompletedTask;
        }
    }
}
