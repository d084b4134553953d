using System.Collections.Concurrent;
using Amazon.Runtime;
using Amazon.SQS;
using MassTransit;
using MassTransit.Middleware;
using Microsoft.Extensions.Logging;
using Shop.BlobStorage;
using Shop.Messaging.AmazonSqs.Sns;
using Shop.Messaging.AmazonSqs.Topology;

namespace Shop.Messaging.AmazonSqs.Transport;

/// <summary>
/// What one bus shares on SQS/SNS: the clients, the provisioner with its caches of queues and topics, and one batcher
/// per destination so that concurrent sends, publishes and deletes go out ten at a time.
/// </summary>
public sealed class AmazonSqsTransportContext : Agent
{
    readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(60) };
    readonly AmazonSQSClient _sqs;
    readonly ConcurrentDictionary<string, SqsSendBatcher> _senders = new(StringComparer.Ordinal);
    readonly ConcurrentDictionary<string, SnsPublishBatcher> _publishers = new(StringComparer.Ordinal);
    readonly ConcurrentDictionary<string, SqsDeleteBatcher> _deleters = new(StringComparer.Ordinal);

    public AmazonSqsTransportContext(AmazonSqsTransportOptions options, IBlobStorage? blobs, ILogger logger)
        : this(options, options.Names(), blobs, logger)
    {
    }

    public AmazonSqsTransportContext(AmazonSqsTransportOptions options, AmazonSqsEntityNames names, IBlobStorage? blobs, ILogger logger)
    {
        Options = options;
        Blobs = blobs;
        Logger = logger;
        Region = ResolveRegion(options);
        Names = names;

        var config = new AmazonSQSConfig();
        if (string.IsNullOrWhiteSpace(options.ServiceUrl))
            config.RegionEndpoint = Amazon.RegionEndpoint.GetBySystemName(Region);
        else
        {
            config.ServiceURL = options.ServiceUrl;
            config.AuthenticationRegion = Region;
        }

        AWSCredentials? credentials = !string.IsNullOrWhiteSpace(options.AccessKey) && !string.IsNullOrWhiteSpace(options.SecretKey)
            ? new BasicAWSCredentials(options.AccessKey, options.SecretKey)
            : null;
        _sqs = credentials is null ? new AmazonSQSClient(config) : new AmazonSQSClient(credentials, config);
        Sns = new SnsClient(_http, new SnsClientOptions
        {
            ServiceUrl = string.IsNullOrWhiteSpace(options.ServiceUrl) ? null : new Uri(options.ServiceUrl),
            Region = Region,
            Credentials = credentials,
        });
        Provisioner = new AmazonSqsTopologyProvisioner(_sqs, Sns, Names,
            new AmazonSqsProvisioningOptions(options.CreateResources, options.AccountId, Region));

        SetReady();
    }

    public AmazonSqsTransportOptions Options { get; }
    public string Region { get; }
    public AmazonSqsEntityNames Names { get; }
    public IAmazonSQS Sqs => _sqs;
    public SnsClient Sns { get; }
    public AmazonSqsTopologyProvisioner Provisioner { get; }
    public IBlobStorage? Blobs { get; }
    public ILogger Logger { get; }

    /// <summary>The endpoints waiting for messages handed in, when <see cref="AmazonSqsTransportOptions.Poll"/> is off.</summary>
    public AmazonSqsReceivers Receivers { get; } = new();

    /// <summary>Attributes of every queue this transport creates for a receive endpoint.</summary>
    public IReadOnlyDictionary<string, string> ReceiveQueueAttributes => new Dictionary<string, string>
    {
        ["VisibilityTimeout"] = ((int)Math.Ceiling(Options.VisibilityTimeout.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    public static string ResolveRegion(AmazonSqsTransportOptions options) =>
        !string.IsNullOrWhiteSpace(options.Region) ? options.Region
        : FallbackRegionFactory.GetRegionEndpoint()?.SystemName
          ?? throw new InvalidOperationException(
              "No AWS region for the SQS/SNS transport: set Messaging:AmazonSqs:Region or AWS_REGION.");

    /// <param name="queueName">The queue's literal name (prefix included), as in its address.</param>
    public Task<SqsQueue> GetQueueAsync(string queueName, CancellationToken cancellationToken = default) =>
        Provisioner.EnsureQueueAsync(queueName, null, cancellationToken);

    /// <param name="topicName">The topic's literal name (scope included), as in its address.</param>
    public Task<string> GetTopicArnAsync(string topicName, CancellationToken cancellationToken = default) =>
        Provisioner.EnsureTopicAsync(topicName, cancellationToken);

    public SqsSendBatcher Sender(SqsQueue queue) =>
        _senders.GetOrAdd(queue.Url, url => new SqsSendBatcher(_sqs, url, Options.SendQueueCapacity));

    public SnsPublishBatcher Publisher(string topicArn) =>
        _publishers.GetOrAdd(topicArn, arn => new SnsPublishBatcher(Sns, arn, Options.SendQueueCapacity));

    public SqsDeleteBatcher Deleter(string queueUrl) =>
        _deleters.GetOrAdd(queueUrl, url => new SqsDeleteBatcher(_sqs, url, Options.SendQueueCapacity));

    protected override async Task StopAgent(StopContext context)
    {
        // Receive endpoints have stopped by now; what is still queued for sending or deleting is flushed first.
        foreach (var batcher in _senders.Values) await batcher.DisposeAsync();
        foreach (var batcher in _publishers.Values) await batcher.DisposeAsync();
        foreach (var batcher in _deleters.Values) await batcher.DisposeAsync();
        _sqs.Dispose();
        _http.Dispose();
        await base.StopAgent(context);
    }
}
