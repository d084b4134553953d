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

    /// <param name="topicName">A full topic name, scope included (see <see cref="AmazonSqsEntityNames.Topic(Type)"/>).</param>
    public Task<string> EnsureTopicAsync(string topicName, CancellationToken cancellationToken = default) =>
        !_options.CreateResources
            ? Task.FromResult(TopicArn(topicName))
            : Cached(_topics, AmazonSqsEntityNames.ValidTopic(topicName), () => sns.CreateTopicAsync(topicName,
            AmazonSqsEntityNames.IsFifo(topicName) ? new Dictionary<string, string> { ["FifoTopic"] = "true" } : null,
            cancellationToken));

    /// <summary>
    /// The queue named <paramref name="queueName"/>: an existing queue is taken as it is, its attributes read and adopted
    /// (a visibility timeout chosen by whoever created it stays, and CreateQueue never fails on a difference); a missing
    /// one is created with <paramref name="attributes"/>. MassTransit.AmazonSQS does the same (look up, create if missing).
    /// </summary>
    /// <param name="queueName">A full queue name, prefix included (see <see cref="AmazonSqsEntityNames.Queue"/>).</param>
    public Task<SqsQueue> EnsureQueueAsync(string queueName, IReadOnlyDictionary<string, string>? attributes = null,
        CancellationToken cancellationToken = default) =>
        Cached(_queues, AmazonSqsEntityNames.ValidQueue(queueName), async () =>
        {
            try
            {
                return await LookUpQueueAsync(queueName, cancellationToken);
            }
            catch (QueueDoesNotExistException) when (_options.CreateResources)
            {
            }
            catch (QueueDoesNotExistException e)
            {
                throw new InvalidOperationException(
                    $"The SQS queue '{queueName}' does not exist, and resource creation is off " +
                    "(Messaging:AmazonSqs:CreateResources=false): create it with the infrastructure code.", e);
            }

            var all = new Dictionary<string, string>(attributes ?? new Dictionary<string, string>());
            if (AmazonSqsEntityNames.IsFifo(queueName)) all["FifoQueue"] = "true";
            try
            {
                var created = await sqs.CreateQueueAsync(new CreateQueueRequest { QueueName = queueName, Attributes = all },
                    cancellationToken);
                return await ReadQueueAsync(queueName, created.QueueUrl, cancellationToken);
            }
            catch (QueueNameExistsException)
            {
                // Created in the meantime by another service with other attributes: adopted like any existing queue.
                return await LookUpQueueAsync(queueName, cancellationToken);
            }
        });

    /// <summary>
    /// The queue of a receive endpoint with its error and skipped queues, subscribed with raw delivery to the topic
    /// of every message type it consumes.
    /// </summary>
    /// <param name="redriveMaxReceiveCount">
    /// Above 0: SQS itself moves a message received this many times to the error queue (a redrive policy, set on an
    /// existing queue too). 0 leaves the queue's redrive policy as it is.
    /// </param>
    public Task<ReceiveEndpointTopology> EnsureReceiveEndpointAsync(string endpointName,
        IReadOnlyCollection<Type> consumedMessageTypes, IReadOnlyDictionary<string, string>? queueAttributes = null,
        int redriveMaxReceiveCount = 0, CancellationToken cancellationToken = default) =>
        EnsureQueueEndpointAsync(Names.Queue(endpointName),
            consumedMessageTypes.Distinct().ToDictionary(type => type, Names.Topic), queueAttributes, redriveMaxReceiveCount,
            cancellationToken);

    /// <summary>
    /// The queue <paramref name="queueName"/> (prefix included) with its error and skipped queues, subscribed with raw
    /// delivery to <paramref name="topics"/> (message type → full topic name, as the bus's publish topology names it).
    /// </summary>
    public async Task<ReceiveEndpointTopology> EnsureQueueEndpointAsync(string queueName,
        IReadOnlyDictionary<Type, string> topics, IReadOnlyDictionary<string, string>? queueAttributes = null,
        int redriveMaxReceiveCount = 0, CancellationToken cancellationToken = default)
    {
        var errorName = AmazonSqsEntityNames.ErrorQueueOf(queueName);
        var skippedName = AmazonSqsEntityNames.SkippedQueueOf(queueName);
        foreach (var topic in topics.Values)
            AmazonSqsEntityNames.ValidTopic(topic);

        var queue = await EnsureQueueAsync(queueName, queueAttributes, cancellationToken);
        // The error and skipped queues get the endpoint's attributes, as MassTransit.AmazonSQS gives them.
        var error = await EnsureQueueAsync(errorName, queueAttributes, cancellationToken);
        var skipped = await EnsureQueueAsync(skippedName, queueAttributes, cancellationToken);

        var topicArns = new Dictionary<Type, string>();
        if (!_options.CreateResources)
            return new ReceiveEndpointTopology(queue, error, skipped, topicArns, []);

        // Set rather than passed to CreateQueue, so that queues created before the limit existed get it too. A redrive
        // policy to another dead-letter queue was someone's choice (infrastructure code, another service) and stays.
        if (redriveMaxReceiveCount > 0)
        {
            var redrive = SqsRedrivePolicy.To(error.Arn, redriveMaxReceiveCount);
            var current = queue.Attributes.GetValueOrDefault("RedrivePolicy");
            if (string.IsNullOrEmpty(current)
                || SqsRedrivePolicy.TargetOf(current) == error.Arn && !SqsRedrivePolicy.Same(current, redrive))
                await sqs.SetQueueAttributesAsync(new SetQueueAttributesRequest
                {
                    QueueUrl = queue.Url,
                    Attributes = new Dictionary<string, string> { ["RedrivePolicy"] = redrive },
                }, cancellationToken);
        }

        foreach (var (messageType, topicName) in topics)
            topicArns[messageType] = await EnsureTopicAsync(topicName, cancellationToken);

        var subscriptions = new List<string>();
        if (topicArns.Count > 0)
        {
            // Merged into the queue's policy statement by statement, as MassTransit.AmazonSQS does, so that a service on
            // the other transport sharing the queue (a migration) keeps its topics; the policy is read fresh, since the
            // cached attributes may predate another service's change.
            var current = (await sqs.GetQueueAttributesAsync(new GetQueueAttributesRequest
            {
                QueueUrl = queue.Url, AttributeNames = ["Policy"],
            }, cancellationToken)).Attributes?.GetValueOrDefault("Policy");
            var merged = SqsQueuePolicy.Merge(current, queue.Arn, topicArns.Values);
            if (merged is not null)
                await sqs.SetQueueAttributesAsync(new SetQueueAttributesRequest
                {
                    QueueUrl = queue.Url,
                    Attributes = new Dictionary<string, string> { ["Policy"] = merged },
                }, cancellationToken);
            foreach (var topicArn in topicArns.Values.Distinct(StringComparer.Ordinal))
                subscriptions.Add(await sns.SubscribeAsync(topicArn, "sqs", queue.Arn,
                    new Dictionary<string, string> { ["RawMessageDelivery"] = "true" }, cancellationToken));
        }

        return new ReceiveEndpointTopology(queue, error, skipped, topicArns, subscriptions);
    }

    async Task<SqsQueue> LookUpQueueAsync(string queueName, CancellationToken cancellationToken) =>
        await ReadQueueAsync(queueName, (await sqs.GetQueueUrlAsync(queueName, cancellationToken)).QueueUrl, cancellationToken);

    async Task<SqsQueue> ReadQueueAsync(string queueName, string url, CancellationToken cancellationToken)
    {
        var attributes = (await sqs.GetQueueAttributesAsync(
            new GetQueueAttributesRequest { QueueUrl = url, AttributeNames = ["All"] }, cancellationToken)).Attributes
            ?? new Dictionary<string, string>();
        var arn = attributes["QueueArn"];
        _accountId ??= arn.Split(':')[4];
        return new SqsQueue(queueName, url, arn, attributes);
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
