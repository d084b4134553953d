using Amazon.SQS;
using Shop.Testing;

namespace Shop.Cli.Tests.Infrastructure;

/// <summary>
/// A broker space of one test class on one transport — a RabbitMQ virtual host, or an SQS/SNS name prefix on fauxqs —
/// and the CLI options that point <c>shop</c> at it. Both transports always run, whatever SHOP_TEST_TRANSPORT says.
/// </summary>
public abstract class Broker : IAsyncLifetime
{
    protected readonly string Name = $"c_{Guid.NewGuid():N}"[..20];

    public abstract string Transport { get; }

    /// <summary>The options every <c>shop</c> invocation of the class starts with.</summary>
    public abstract IReadOnlyList<string> CliOptions { get; }

    /// <summary>The same place as service settings (<c>Messaging:*</c>), for a bus the test runs itself.</summary>
    public abstract Dictionary<string, string?> Settings();

    public abstract Task InitializeAsync();

    public abstract Task DisposeAsync();
}

public sealed class RabbitMqBroker : Broker
{
    TestServices.Endpoints _endpoints = null!;

    public RabbitMqManagement Management { get; private set; } = null!;
    public string VirtualHost => Name;
    public Uri Url { get; private set; } = null!;

    public override string Transport => "RabbitMq";

    public override IReadOnlyList<string> CliOptions =>
        ["--transport", Transport, "--rabbitmq-url", Url.ToString(), "--rabbitmq-management-url", _endpoints.RabbitMqManagement.ToString()];

    public override Dictionary<string, string?> Settings() => new()
    {
        ["Messaging:Transport"] = Transport,
        ["Messaging:RabbitMq:Url"] = Url.ToString(),
    };

    public override async Task InitializeAsync()
    {
        _endpoints = await TestServices.Get();
        Management = new RabbitMqManagement(_endpoints.RabbitMqManagement);
        await Management.CreateVirtualHost(Name);
        Url = new UriBuilder(_endpoints.RabbitMq) { Path = "/" + Name }.Uri;
    }

    public override async Task DisposeAsync()
    {
        await Management.DeleteVirtualHost(Name);
        Management.Dispose();
    }
}

public sealed class AmazonSqsBroker : Broker
{
    Uri _endpoint = null!;

    public string Prefix => Name + "-";
    public AmazonSQSClient Sqs { get; private set; } = null!;

    public override string Transport => "AmazonSqs";

    public override IReadOnlyList<string> CliOptions =>
        ["--transport", Transport, "--sqs-service-url", _endpoint.ToString(), "--region", TestTransport.Region, "--prefix", Prefix];

    public override Dictionary<string, string?> Settings() => new()
    {
        ["Messaging:Transport"] = Transport,
        ["Messaging:AmazonSqs:ServiceUrl"] = _endpoint.ToString(),
        ["Messaging:AmazonSqs:Region"] = TestTransport.Region,
        ["Messaging:AmazonSqs:Prefix"] = Prefix,
        ["Messaging:AmazonSqs:WaitTimeSeconds"] = "1",
    };

    public override async Task InitializeAsync()
    {
        _endpoint = await TestTransport.AwsEndpoint();
        Sqs = TestTransport.CreateSqsClient(_endpoint);
    }

    public override async Task DisposeAsync()
    {
        foreach (var url in (await Sqs.ListQueuesAsync(Prefix)).QueueUrls ?? [])
            await Sqs.DeleteQueueAsync(url);
        Sqs.Dispose();
    }
}
