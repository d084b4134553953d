using System.Collections.Concurrent;
using Amazon.SQS;
using Amazon.SQS.Model;
using Shop.Messaging.AmazonSqs.Sns;

namespace Shop.Messaging.AmazonSqs.Topology;

/// <summary>
/// Creates the SQS/SNS resources of MassTransit's topology: a topic per message type, a queue per receive endpoint
/// with its <c>_error</c> and <c>_skipped</c> queues, raw-delivery subscriptions and the queue policy that lets those
/// topics send. Every call is idempotent (CreateQueue, CreateTopic and Subscribe answer the existing resource) and
/// nothing is listed, so it scales to accounts with many topics. Results are cached per name. When infrastructure as
/// code owns the resources (<see cref="AmazonSqsProvisioningOptions.CreateResources"/> false) nothing is created or
/// changed: queues are looked up and topic ARNs are built from the account and region.
/// </summary>
public sealed class AmazonSqsTopologyProvisioner(IAmazonSQS sqs, SnsClient sns, AmazonSqsEntityNames names,
    AmazonSqsProvisioningOptions? options = null)
{
    readonly AmazonSqsProvisioningOptions _options = options ?? new AmazonSqsProvisioningOptions();
    string? _accountId = options?.AccountId;

    readonly ConcurrentDictionary<string, Lazy<Task<string>>> _topics = new(StringComparer.Ordinal);
    readonly ConcurrentDictionary<string, Lazy<Task<SqsQueue>>> _queues = new(StringComparer.Ordinal);

    public AmazonSqsEntityNames Names { get; } = names;

    /// <summary>The ARN of the topic for <paramref name="messageType"/>, created on first use.</summary>
    public Task<string> EnsureTopicAsync(Type messageType, CancellationToken cancellationToken = default) =>
        EnsureTopicAsync(Names.Topic(messageType), cancellationToken);

    /// <param name="topicName">A full topic name, prefix included (see <see cref="AmazonSqsEntityNames.Topic(string)"/>).</param>
    public Task<string> EnsureTopicAsync(string topicName, CancellationToken cancellationToken = default) =>
        !_options.CreateResources
            ? Task.FromResult(TopicArn(topicName))
            : Cached(_topics, topicName, () => sns.CreateTopicAsync(topicName,
            AmazonSqsEntityNames.IsFifo(topicName) ? new Dictionary<string, string> { ["FifoTopic"] = "true" } : null,
            cancellationToken));

    /// <param name="queueName">A full queue name, prefix included (see <see cref="AmazonSqsEntityNames.Queue"/>).</param>
    public Task<SqsQueue> EnsureQueueAsync(string queueName, IReadOnlyDictionary<string, string>? attributes = null,
        CancellationToken cancellationToken = default) =>
        Cached(_queues, queueName, async () =>
        {
            if (!_options.CreateResources)
                return await LookUpQueueAsync(queueName, cancellationToken);

            var all = new Dictionary<string, string>(attributes ?? new Dictionary<string, string>());
            if (AmazonSqsEntityNames.IsFifo(queueName)) all["FifoQueue"] = "true";
            var created = await sqs.CreateQueueAsync(new CreateQueueRequest { QueueName = queueName, Attributes = all },
                cancellationToken);
            var arn = await sqs.GetQueueAttributesAsync(
                new GetQueueAttributesRequest { QueueUrl = created.QueueUrl, AttributeNames = ["QueueArn"] },
                cancellationToken);
            return new SqsQueue(queueName, created.QueueUrl, arn.Attributes["QueueArn"]);
        });

    /// <summary>
    /// The queue of a receive endpoint with its error and skipped queues, subscribed with raw delivery to the topic
    /// of every message type it consumes.
    /// </summary>
    /// <param name="redriveMaxReceiveCount">
    /// Above 0: SQS itself moves a message received this many times to the error queue (a redrive policy, set on an
    /// existing queue too). 0 leaves the queue's redrive policy as it is.
    /// </param>
    public async Task<ReceiveEndpointTopology> EnsureReceiveEndpointAsync(string endpointName,
        IReadOnlyCollection<Type> consumedMessageTypes, IReadOnlyDictionary<string, string>? queueAttributes = null,
        int redriveMaxReceiveCount = 0, CancellationToken cancellationToken = default)
    {
        var fifo = AmazonSqsEntityNames.IsFifo(endpointName);
        var queue = await EnsureQueueAsync(Names.Queue(endpointName), queueAttributes, cancellationToken);
        var error = await EnsureQueueAsync(Names.ErrorQueue(endpointName), null, cancellationToken);
        var skipped = await EnsureQueueAsync(Names.SkippedQueue(endpointName), null, cancellationToken);

        var topicArns = new Dictionary<Type, string>();
        if (!_options.CreateResources)
            return new ReceiveEndpointTopology(queue, error, skipped, topicArns, []);

        // Set rather than passed to CreateQueue: CreateQueue refuses an existing queue whose attributes differ, and
        // queues created before the limit existed must get it too.
        if (redriveMaxReceiveCount > 0)
        {
            await sqs.SetQueueAttributesAsync(new SetQueueAttributesRequest
            {
                QueueUrl = queue.Url,
                Attributes = new Dictionary<string, string> { ["RedrivePolicy"] = SqsRedrivePolicy.To(error.Arn, redriveMaxReceiveCount) },
            }, cancellationToken);
        }

        foreach (var messageType in consumedMessageTypes.Distinct())
            topicArns[messageType] = await EnsureTopicAsync(Names.Topic(messageType, fifo), cancellationToken);

        var subscriptions = new List<string>();
        if (topicArns.Count > 0)
        {
            // One policy naming every topic: setting it per subscription would let only the last topic through.
            await sqs.SetQueueAttributesAsync(new SetQueueAttributesRequest
            {
                QueueUrl = queue.Url,
                Attributes = new Dictionary<string, string> { ["Policy"] = SqsQueuePolicy.AllowTopics(queue.Arn, topicArns.Values) },
            }, cancellationToken);
            foreach (var topicArn in topicArns.Values.Distinct(StringComparer.Ordinal))
                subscriptions.Add(await sns.SubscribeAsync(topicArn, "sqs", queue.Arn,
                    new Dictionary<string, string> { ["RawMessageDelivery"] = "true" }, cancellationToken));
        }

        return new ReceiveEndpointTopology(queue, error, skipped, topicArns, subscriptions);
    }

    async Task<SqsQueue> LookUpQueueAsync(string queueName, CancellationToken cancellationToken)
    {
        string url;
        try
        {
            url = (await sqs.GetQueueUrlAsync(queueName, cancellationToken)).QueueUrl;
        }
        catch (QueueDoesNotExistException e)
        {
            throw new InvalidOperationException(
                $"The SQS queue '{queueName}' does not exist, and resource creation is off " +
                "(Messaging:AmazonSqs:CreateResources=false): create it with the infrastructure code.", e);
        }

        var arn = (await sqs.GetQueueAttributesAsync(
            new GetQueueAttributesRequest { QueueUrl = url, AttributeNames = ["QueueArn"] }, cancellationToken)).Attributes["QueueArn"];
        _accountId ??= arn.Split(':')[4];
        return new SqsQueue(queueName, url, arn);
    }

    string TopicArn(string topicName) =>
        $"arn:aws:sns:{_options.Region}:{_accountId ?? throw new InvalidOperationException(
            $"The ARN of topic '{topicName}' needs the AWS account id: set Messaging:AmazonSqs:AccountId " +
            "(with CreateResources=false it is otherwise taken from the first queue looked up).")}:{topicName}";

    // A failed creation is not cached, so the next call tries again.
    static async Task<T> Cached<T>(ConcurrentDictionary<string, Lazy<Task<T>>> cache, string key, Func<Task<T>> create)
    {
        var lazy = cache.GetOrAdd(key, _ => new Lazy<Task<T>>(create));
        try
        {
            return await lazy.Value;
        }
        catch
        {
            cache.TryRemove(new KeyValuePair<string, Lazy<Task<T>>>(key, lazy));
            throw;
        }
    }
}

/// <param name="CreateResources">False when infrastructure as code owns queues, topics and subscriptions.</param>
/// <param name="AccountId">Builds topic ARNs when nothing is created.</param>
/// <param name="Region">Builds topic ARNs when nothing is created.</param>
public sealed record AmazonSqsProvisioningOptions(bool CreateResources = true, string? AccountId = null, string Region = "us-east-1");
