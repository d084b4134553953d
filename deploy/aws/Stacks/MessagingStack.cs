using Amazon.CDK;
using Amazon.CDK.AWS.SNS;
using Amazon.CDK.AWS.SNS.Subscriptions;
using Amazon.CDK.AWS.SQS;
using Constructs;
using Shop.Deploy.Aws.Topology;
using Shop.Messaging.AmazonSqs.Transport;

namespace Shop.Deploy.Aws.Stacks;

/// <summary>
/// Every SNS topic and SQS queue of the transport's topology, named by the transport's own naming code, so the services
/// run with <c>Messaging:AmazonSqs:CreateResources=false</c>: a topic per message type, a queue per receive endpoint
/// with its <c>_error</c> and <c>_skipped</c> queues, a redrive policy to <c>_error</c>, raw-delivery subscriptions.
/// </summary>
public sealed class MessagingStack : Stack
{
    /// <summary>How long an error queue keeps a message (SQS's maximum), so an operator has time to replay it.</summary>
    static readonly Duration ErrorRetention = Duration.Days(14);

    readonly Dictionary<string, Queue> _queues = new(StringComparer.Ordinal);

    public MessagingStack(Construct scope, string id, DeploymentSettings settings, ShopTopology topology, IStackProps props)
        : base(scope, id, props)
    {
        var transport = new AmazonSqsTransportOptions();
        var topics = topology.TopicMessageTypes.ToDictionary(type => type, type =>
        {
            var name = topology.Names.Topic(type);
            return new Amazon.CDK.AWS.SNS.Topic(this, "Topic-" + name, new TopicProps { TopicName = name });
        });

        foreach (var service in topology.Services)
        {
            foreach (var endpoint in service.Endpoints)
            {
                var error = NewQueue(topology.Names.ErrorQueue(endpoint.Name), ErrorRetention);
                NewQueue(topology.Names.SkippedQueue(endpoint.Name), ErrorRetention);

                // A Lambda function must finish before the record reappears: SQS asks for six times its timeout.
                var onLambda = service.Service.IsWorker && settings.HostOf(service.Service) == WorkerHost.Lambda;
                var queue = NewQueue(topology.Names.Queue(endpoint.Name), Duration.Days(4), new QueueProps
                {
                    VisibilityTimeout = onLambda
                        ? Duration.Seconds(settings.LambdaTimeoutSeconds * 6)
                        : Duration.Seconds(transport.VisibilityTimeout.TotalSeconds),
                    // The transport itself moves a message to _error on this receive; the redrive catches what it cannot
                    // (a process killed by the message, a Lambda record returned as failed every time).
                    DeadLetterQueue = new DeadLetterQueue { Queue = error, MaxReceiveCount = transport.MaxReceiveCount },
                });

                if (!endpoint.SubscribesToTopics) continue;
                foreach (var type in endpoint.ConsumedMessageTypes)
                    topics[type].AddSubscription(new SqsSubscription(queue, new SqsSubscriptionProps { RawMessageDelivery = true }));
            }
        }
    }

    public IQueue Queue(string fullName) => _queues[fullName];

    Queue NewQueue(string name, Duration retention, QueueProps? props = null)
    {
        var queue = new Queue(this, "Queue-" + name, new QueueProps
        {
            QueueName = name,
            RetentionPeriod = retention,
            Encryption = QueueEncryption.SQS_MANAGED,
            EnforceSSL = true,
            VisibilityTimeout = props?.VisibilityTimeout,
            DeadLetterQueue = props?.DeadLetterQueue,
        });
        _queues[name] = queue;
        return queue;
    }
}
