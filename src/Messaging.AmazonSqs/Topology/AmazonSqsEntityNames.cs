namespace Shop.Messaging.AmazonSqs.Topology;

/// <summary>
/// Names of the SQS queues and SNS topics: the optional environment prefix goes on every queue and topic (one AWS
/// account, many environments); a receive endpoint's queue has <c>_error</c> and <c>_skipped</c> siblings; a
/// <c>.fifo</c> suffix stays last. Names are checked against the SQS/SNS rules before anything is created.
/// </summary>
public sealed class AmazonSqsEntityNames(string? prefix = null)
{
    public const int MaxQueueNameLength = 80;
    public const int MaxTopicNameLength = 256;
    public const string FifoSuffix = ".fifo";

    readonly AmazonSqsEntityNameFormatter _formatter = new();

    public string Prefix { get; } = prefix ?? "";

    public static bool IsFifo(string name) => name.EndsWith(FifoSuffix, StringComparison.Ordinal);

    public string Queue(string endpointName) => Validate(Prefix + endpointName, MaxQueueNameLength, "queue");

    public string ErrorQueue(string endpointName) => Queue(WithSuffix(endpointName, "_error"));

    public string SkippedQueue(string endpointName) => Queue(WithSuffix(endpointName, "_skipped"));

    public string Topic(Type messageType, bool fifo = false) => Topic(TopicName(_formatter, messageType, fifo));

    /// <summary>A message type's topic name before the prefix: what publishers address and FIFO endpoints subscribe to.</summary>
    public static string TopicName(AmazonSqsEntityNameFormatter formatter, Type messageType, bool fifo) =>
        formatter.Format(messageType) + (fifo ? FifoSuffix : "");

    public string Topic(string topicName) => Validate(Prefix + topicName, MaxTopicNameLength, "topic");

    static string WithSuffix(string name, string suffix) =>
        IsFifo(name) ? name[..^FifoSuffix.Length] + suffix + FifoSuffix : name + suffix;

    static string Validate(string name, int maxLength, string kind)
    {
        var bare = IsFifo(name) ? name[..^FifoSuffix.Length] : name;
        if (name.Length > maxLength)
            throw new ArgumentException(
                $"The SQS/SNS {kind} name '{name}' has {name.Length} characters; at most {maxLength} are allowed " +
                "(shorten the endpoint name or the prefix).", nameof(name));
        if (bare.Length == 0 || !bare.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
            throw new ArgumentException(
                $"The SQS/SNS {kind} name '{name}' may hold only letters, digits, '-' and '_' (and end with '.fifo').",
                nameof(name));
        return name;
    }
}
