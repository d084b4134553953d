using System.Text.Json.Nodes;
using Amazon.SQS;
using Amazon.SQS.Model;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Shop.Messaging.AmazonSqs.Transport;
using Shop.Testing;

namespace Shop.Hosting.Lambda.Tests.Infrastructure;

/// <summary>
/// A real worker (its built dll) running as a Lambda function against <see cref="RuntimeApiPeer"/>, on fauxqs and a
/// PostgreSQL database of its own; beside it a bus of our SQS transport that produces the messages (whose SQS messages
/// become the records of the events) and hears what the worker publishes. One per test class.
/// </summary>
public abstract class WorkerFunction : IAsyncLifetime
{
    readonly string _prefix = $"l{Guid.NewGuid():N}"[..12] + "-";
    ServiceProvider? _bus;
    IBusControl? _busControl;
    AmazonSQSClient _sqs = null!;
    TestDatabase _database = null!;

    public RuntimeApiPeer Runtime { get; private set; } = null!;
    public WorkerProcess Worker { get; private set; } = null!;
    public Uri Fauxqs { get; private set; } = null!;
    public string ConnectionString => _database.ConnectionString;

    /// <summary>The worker's entry point, as its container image starts it.</summary>
    protected abstract string AssemblyFile { get; }

    /// <summary>The name of the worker's connection string (<c>ConnectionStrings:{name}</c>).</summary>
    protected abstract string DatabaseName { get; }

    /// <summary>The settings that are the worker's own, beside the host, transport and database ones.</summary>
    protected abstract void AddWorkerSettings(IDictionary<string, string?> environment);

    /// <summary>Consumers of the test's bus that hear what the worker publishes, and what they need.</summary>
    protected abstract void AddObservers(IServiceCollection services, IBusRegistrationConfigurator bus);

    /// <summary>The name on fauxqs of the worker's queue <paramref name="endpoint"/>.</summary>
    public string QueueName(string endpoint) => _prefix + endpoint;

    public async Task InitializeAsync()
    {
        _database = await TestDatabase.CreateAsync();
        Fauxqs = await TestTransport.AwsEndpoint();
        _sqs = TestTransport.CreateSqsClient(Fauxqs);
        await BeforeStartAsync();
        Runtime = await RuntimeApiPeer.StartAsync();
        Worker = WorkerProcess.Start(AssemblyFile, WorkerEnvironment());

        var initialised = await Eventually.Completes(Task.WhenAny(Runtime.Initialised, Runtime.InitError), "the worker to ask for an invocation",
            TimeSpan.FromMinutes(2), () => Worker.Output);
        if (initialised != Runtime.Initialised)
            throw new InvalidOperationException($"The worker failed to initialise.\n{Worker.Output}");

        var services = new ServiceCollection();
        services.AddLogging();
        services.AddMassTransit(x =>
        {
            AddObservers(services, x);
            x.UsingShopAmazonSqs(TransportOptions(), (context, cfg) => cfg.ConfigureEndpoints(context, new KebabCaseEndpointNameFormatter("lambda-test", false)));
        });
        _bus = services.BuildServiceProvider();
        _busControl = _bus.GetRequiredService<IBusControl>();
        await _busControl.StartAsync(new CancellationTokenSource(TimeSpan.FromMinutes(1)).Token);
    }

    /// <summary>What must exist before the worker starts.</summary>
    protected virtual Task BeforeStartAsync() => Task.CompletedTask;

    AmazonSqsTransportOptions TransportOptions() => new()
    {
        ServiceUrl = Fauxqs.ToString(),
        Region = TestTransport.Region,
        Prefix = _prefix,
        WaitTimeSeconds = 1,
    };

    Dictionary<string, string?> WorkerEnvironment()
    {
        var environment = new Dictionary<string, string?>
        {
            ["AWS_LAMBDA_RUNTIME_API"] = Runtime.Endpoint,
            ["ASPNETCORE_URLS"] = "http://127.0.0.1:0",
            ["DOTNET_ENVIRONMENT"] = "Production",
            ["Messaging__Transport"] = "AmazonSqs",
            ["Messaging__AmazonSqs__ServiceUrl"] = Fauxqs.ToString(),
            ["Messaging__AmazonSqs__Region"] = TestTransport.Region,
            ["Messaging__AmazonSqs__Prefix"] = _prefix,
            [$"ConnectionStrings__{DatabaseName}"] = ConnectionString,
            // Only the host's flush before each answer sends the outbox: no delivery right after commit, no background
            // service (a frozen environment runs neither), so the tests show what the flush alone delivers.
            ["Messaging__DurableStore__DeliverAfterCommit"] = "false",
            ["Messaging__DurableStore__DeliveryEnabled"] = "false",
            ["Logging__LogLevel__Default"] = "Information",
            ["Logging__LogLevel__Microsoft"] = "Warning",
        };
        AddWorkerSettings(environment);
        return environment;
    }

    /// <summary>
    /// Has the test's bus produce <paramref name="count"/> messages for the worker's queue <paramref name="endpoint"/>,
    /// then takes their SQS messages off that queue as SQS records.
    /// </summary>
    public async Task<List<JsonObject>> ProduceRecords(string endpoint, int count, Func<IBus, Task> produce)
    {
        await produce(_bus!.GetRequiredService<IBus>());

        var queue = QueueName(endpoint);
        var url = (await _sqs.GetQueueUrlAsync(queue)).QueueUrl;
        var arn = (await _sqs.GetQueueAttributesAsync(url, ["QueueArn"])).Attributes["QueueArn"];
        var records = new List<JsonObject>();
        await Eventually.Until(async () =>
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
            return records.Count >= count;
        }, $"{count} messages to reach {queue}", TimeSpan.FromSeconds(60), () => $"{records.Count} of them");

        Assert.True(records.Count == count, $"{records.Count} of {count} messages reached {queue}");
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

    /// <summary>
    /// Makes the record poison for the transport: its body is said to be in blob storage, under a key that holds
    /// nothing, so it cannot even be read.
    /// </summary>
    public static void PointBodyAtNothing(JsonObject record) =>
        record["messageAttributes"]!["Shop-Body-Reference"] = new JsonObject
        {
            ["stringValue"] = "messages/" + Guid.NewGuid().ToString("N"), ["dataType"] = "String",
            ["stringListValues"] = new JsonArray(), ["binaryListValues"] = new JsonArray(),
        };

    /// <summary>Bodies of what is in the <c>_error</c> queue of the worker's queue <paramref name="endpoint"/> now (taken off it).</summary>
    public async Task<List<string>> TakeErrors(string endpoint)
    {
        var url = (await _sqs.GetQueueUrlAsync(QueueName(endpoint) + "_error")).QueueUrl;
        var received = await _sqs.ReceiveMessageAsync(new ReceiveMessageRequest { QueueUrl = url, MaxNumberOfMessages = 10, WaitTimeSeconds = 1 });
        return (received.Messages ?? []).Select(m => m.Body).ToList();
    }

    public static JsonObject Event(IEnumerable<JsonObject> records) =>
        new() { ["Records"] = new JsonArray(records.Select(r => (JsonNode)r.DeepClone()).ToArray()) };

    /// <summary>The ids of the records the function's answer returns to the queue.</summary>
    public static List<string> Failures(InvocationResult result)
    {
        Assert.True(result.Response is not null, $"the invocation failed as a whole: {result.Error?.ToJsonString()}");
        return result.Response!["batchItemFailures"]!.AsArray().Select(f => f!["itemIdentifier"]!.GetValue<string>()).ToList();
    }

    public static string Id(JsonObject record) => record["messageId"]!.GetValue<string>();

    /// <summary>Outbox units not yet sent (rows are deleted once their messages are out).</summary>
    public async Task<int> OutboxBacklog() => await Count("SELECT count(DISTINCT outbox_id) FROM outbox_message", null);

    protected async Task<int> Count(string sql, Guid? id)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        if (id is { } value)
            command.Parameters.AddWithValue("id", value);
        return Convert.ToInt32(await command.ExecuteScalarAsync());
    }

    public virtual async Task DisposeAsync()
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
}
