namespace Shop.Messaging.AmazonSqs.Transport;

/// <summary>The <c>Messaging:AmazonSqs</c> section: where SQS/SNS are, how resources are named and how receiving behaves.</summary>
public sealed class AmazonSqsTransportOptions
{
    /// <summary>
    /// An SQS/SNS/S3-compatible endpoint such as <c>http://127.0.0.1:4566</c> (fauxqs); empty for AWS itself, where the
    /// region selects the endpoints.
    /// </summary>
    public string? ServiceUrl { get; set; }

    /// <summary>Empty: the AWS SDK's region chain (<c>AWS_REGION</c>, profile, instance metadata).</summary>
    public string? Region { get; set; }

    /// <summary>
    /// Static keys for a local emulator such as fauxqs. Leave both empty on AWS: the SDK's credential chain
    /// (environment, profile, container or instance role) is then used, and nothing secret sits in configuration.
    /// </summary>
    public string? AccessKey { get; set; }

    public string? SecretKey { get; set; }

    /// <summary>Put on every queue and topic, so several environments can share one AWS account.</summary>
    public string? Prefix { get; set; }

    /// <summary>
    /// False when infrastructure as code owns the queues, topics and subscriptions: nothing is created, queue URLs
    /// are looked up and topic ARNs are built from <see cref="AccountId"/> (or the account of the first queue found).
    /// </summary>
    public bool CreateResources { get; set; } = true;

    /// <summary>Used to build topic ARNs when <see cref="CreateResources"/> is false; found from a queue ARN if empty.</summary>
    public string? AccountId { get; set; }

    /// <summary>
    /// False when something else receives from the queues and hands each message in (the Lambda host, fed by an SQS
    /// event source mapping): the endpoints start without polling and wait in <see cref="AmazonSqsTransportContext.Receivers"/>.
    /// </summary>
    public bool Poll { get; set; } = true;

    /// <summary>Long-polling wait of each ReceiveMessage call (0–20 s).</summary>
    public int WaitTimeSeconds { get; set; } = 20;

    /// <summary>Visibility timeout of the queues this service creates; a message in progress is extended before it lapses.</summary>
    public TimeSpan VisibilityTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long one delivery may keep extending its visibility before it is given back to the queue.</summary>
    public TimeSpan MaxVisibilityExtension { get; set; } = TimeSpan.FromHours(1);

    /// <summary>
    /// The delivery limit: a message is handed to the consumers at most this many times. One received again after
    /// that (the receives before ended without a result: the process died, hung or stopped while handling it) is
    /// moved to the endpoint's <c>_error</c> queue with the reason before any consumer sees it, and one whose handling
    /// fails in the transport itself (a claim-checked body that cannot be loaded) is moved at its last receive. The
    /// queues this transport creates also get a redrive policy to <c>_error</c> at
    /// <see cref="RedriveMaxReceiveCount"/>, a backstop should the move itself keep failing. 0: no limit.
    /// </summary>
    public int MaxReceiveCount { get; set; } = 10;

    /// <summary>
    /// Two receives above <see cref="MaxReceiveCount"/>: the transport gets two chances to park a message with its
    /// reason before SQS moves it without one.
    /// </summary>
    public int RedriveMaxReceiveCount => MaxReceiveCount > 0 ? MaxReceiveCount + 2 : 0;

    /// <summary>
    /// Messages that may wait per queue or topic for a send, publish or delete batch (four batches of ten are in
    /// flight besides). When SQS or SNS slows down, further senders wait for room, and a send whose caller gives up
    /// while it waits is dropped, not sent later.
    /// </summary>
    public int SendQueueCapacity { get; set; } = Batcher<SqsOutgoingMessage>.DefaultCapacity;

    /// <summary>
    /// Bodies larger than this are stored in blob storage and travel as a reference (SQS and SNS stop at 256 KiB,
    /// attributes included, so the default leaves room for them).
    /// </summary>
    public int ClaimCheckThreshold { get; set; } = 240 * 1024;

    /// <summary>
    /// Message types published to a FIFO topic (the type's topic name with <c>.fifo</c>), by CLR name or full name.
    /// Endpoints whose names end in <c>.fifo</c> subscribe to the FIFO topics of what they consume; SNS delivers a FIFO
    /// topic only to FIFO queues, so every subscriber of such a type must be a FIFO endpoint. The message group is the
    /// publish's partition key (else its correlation id), the deduplication id its message id.
    /// </summary>
    public List<string> FifoTopics { get; set; } = [];

    internal bool IsFifoTopic(Type messageType) =>
        FifoTopics.Contains(messageType.Name, StringComparer.Ordinal) || FifoTopics.Contains(messageType.FullName ?? "", StringComparer.Ordinal);
}
