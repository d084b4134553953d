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

    /// <summary>
    /// Put on every queue name, so several environments can share one AWS account; it is part of the queue's name and of
    /// its address (an official MassTransit service gets the same with an endpoint name formatter prefix). Topics carry
    /// the <see cref="Scope"/> instead, which defaults to this prefix without its trailing '-' or '_'.
    /// </summary>
    public string? Prefix { get; set; }

    /// <summary>
    /// MassTransit's host scope: topics are named <c>{Scope}_{name}</c> when <see cref="ScopeTopics"/> is on, and a
    /// <c>topic:name</c> address means <c>{Scope}_{name}</c>. Empty: the <see cref="Prefix"/> without its trailing '-' or '_'.
    /// </summary>
    public string? Scope { get; set; }

    /// <summary>MassTransit's <c>ScopeTopics</c>: the topics of message types carry the scope (on by default, as environments share an account).</summary>
    public bool ScopeTopics { get; set; } = true;

    /// <summary>
    /// On FIFO queues and topics, a send without a group id takes the partition key, else the correlation id, else
    /// <c>default</c>, and one without a deduplication id takes the message id. Off: only ids set on the send context are
    /// sent, as by MassTransit.AmazonSQS (SQS then refuses a FIFO send without a group id).
    /// </summary>
    public bool FifoIdDefaults { get; set; } = true;

    /// <summary>
    /// Bodies over <see cref="ClaimCheckThreshold"/> go to blob storage and travel as a reference (<c>Shop-Body-Reference</c>).
    /// An official MassTransit receiver cannot follow the reference: turn this off when one may receive such a message; a
    /// body too large for SQS/SNS then fails its send with the reason.
    /// </summary>
    public bool ClaimCheck { get; set; } = true;

    /// <summary>
    /// Headers past the ninth attribute (SQS/SNS take ten) travel packed as JSON in one <c>Shop-Headers</c> attribute. Off:
    /// they are left out of the attributes (an envelope carries every header in its body anyway), as an official
    /// receiver would not unpack them.
    /// </summary>
    public bool PackHeaders { get; set; } = true;

    /// <summary>
    /// A send delayed past SQS's 15 minutes is refused with the reason (the durable scheduler serves such delays). Off: the
    /// delay is cut to 15 minutes, as MassTransit.AmazonSQS does silently.
    /// </summary>
    public bool RefuseLongDelays { get; set; } = true;

    /// <summary>The names of queues and topics these options give.</summary>
    public Topology.AmazonSqsEntityNames Names() =>
        new(Prefix, string.IsNullOrWhiteSpace(Scope) ? null : Scope, ScopeTopics, IsFifoTopic);

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
    /// Message types whose topic is a FIFO topic (the type's topic name with <c>.fifo</c>, as <c>SetEntityName</c> would
    /// give it on the official transport), by CLR name or full name. As with MassTransit.AmazonSQS, every endpoint
    /// consuming the type subscribes to the type's topic, FIFO or not; SNS delivers a FIFO topic only to FIFO queues, so
    /// every subscriber of such a type must be a FIFO endpoint. With <see cref="FifoIdDefaults"/>, the message group is the
    /// publish's partition key (else its correlation id), the deduplication id its message id.
    /// </summary>
    public List<string> FifoTopics { get; set; } = [];

    internal bool IsFifoTopic(Type messageType) =>
        FifoTopics.Contains(messageType.Name, StringComparer.Ordinal) || FifoTopics.Contains(messageType.FullName ?? "", StringComparer.Ordinal);
}
