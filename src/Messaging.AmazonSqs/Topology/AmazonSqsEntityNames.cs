using System.Reflection;
using MassTransit;

namespace Shop.Messaging.AmazonSqs.Topology;

/// <summary>
/// Names of the SQS queues and SNS topics, by MassTransit's SQS conventions so that services on the official transport
/// share them. A queue is the environment prefix and the endpoint name (what the official transport gets from an endpoint
/// name formatter with that prefix), with <c>_error</c> and <c>_skipped</c> siblings and a <c>.fifo</c> suffix kept last.
/// A topic is the message type's entity name (<c>[EntityName]</c> as given, else <see cref="AmazonSqsEntityNameFormatter"/>),
/// scoped as the official host scope with <c>ScopeTopics</c> does it: <c>{scope}_{name}</c>, where the scope defaults to
/// the prefix without its trailing '-' or '_'. Names are checked against the SQS/SNS rules before anything is created.
/// </summary>
public sealed class AmazonSqsEntityNames : IEntityNameFormatter
{
    public const int MaxQueueNameLength = 80;
    public const int MaxTopicNameLength = 256;
    public const string FifoSuffix = ".fifo";

    readonly AmazonSqsEntityNameFormatter _formatter = new();
    readonly Func<Type, bool> _isFifoTopic;

    /// <param name="prefix">Put on every queue name.</param>
    /// <param name="scope">The topic scope; null: the prefix without its trailing '-' or '_'.</param>
    /// <param name="scopeTopics">Whether topics of message types carry the scope (MassTransit's <c>ScopeTopics</c>).</param>
    /// <param name="isFifoTopic">Message types whose entity name gets <c>.fifo</c> (a FIFO topic).</param>
    public AmazonSqsEntityNames(string? prefix = null, string? scope = null, bool scopeTopics = true, Func<Type, bool>? isFifoTopic = null)
    {
        Prefix = prefix ?? "";
        Scope = scope ?? DefaultScope(prefix);
        ScopeTopics = scopeTopics;
        _isFifoTopic = isFifoTopic ?? (_ => false);
    }

    public string Prefix { get; }

    /// <summary>The host scope: empty for none.</summary>
    public string Scope { get; }

    public bool ScopeTopics { get; }

    public static string DefaultScope(string? prefix) => (prefix ?? "").TrimEnd('-', '_');

    public static bool IsFifo(string name) => name.EndsWith(FifoSuffix, StringComparison.OrdinalIgnoreCase);

    public string Queue(string endpointName) => ValidQueue(Prefix + endpointName);

    public string ErrorQueue(string endpointName) => Queue(WithSuffix(endpointName, "_error"));

    public string SkippedQueue(string endpointName) => Queue(WithSuffix(endpointName, "_skipped"));

    /// <summary>The error queue of a full queue name (prefix included).</summary>
    public static string ErrorQueueOf(string queueName) => ValidQueue(WithSuffix(queueName, "_error"));

    /// <summary>The skipped queue of a full queue name (prefix included).</summary>
    public static string SkippedQueueOf(string queueName) => ValidQueue(WithSuffix(queueName, "_skipped"));

    /// <summary>
    /// The topic of <paramref name="messageType"/>: <c>[EntityName]</c> (or <c>[FaultEntityName]</c> of a fault's message)
    /// as written — MassTransit applies no scope to it — else the scoped formatted name. A name set on the bus with
    /// <c>SetEntityName</c> is known only to the bus topology.
    /// </summary>
    public string Topic(Type messageType)
    {
        if (messageType.GetCustomAttribute<EntityNameAttribute>() is { } entityName)
            return ValidTopic(entityName.EntityName);
        if (messageType.IsGenericType && messageType.GetGenericTypeDefinition() == typeof(Fault<>)
            && messageType.GetGenericArguments()[0].GetCustomAttribute<FaultEntityNameAttribute>() is { } faultName)
            return ValidTopic(faultName.EntityName);
        return ValidTopic(Format(messageType));
    }

    /// <summary>The name of a <c>topic:name</c> address: MassTransit puts the host scope before it (with or without ScopeTopics).</summary>
    public string ShortTopic(string name) => ValidTopic(Scope.Length > 0 ? $"{Scope}_{name}" : name);

    /// <summary>The formatted, scoped name before <c>[EntityName]</c> is considered: what the bus's message topology asks for.</summary>
    public string FormatEntityName<T>() => Format(typeof(T));

    string Format(Type messageType) =>
        (ScopeTopics && Scope.Length > 0 ? Scope + "_" : "") + _formatter.Format(messageType) + (_isFifoTopic(messageType) ? FifoSuffix : "");

    static string WithSuffix(string name, string suffix) =>
        IsFifo(name) ? name[..^FifoSuffix.Length] + suffix + FifoSuffix : name + suffix;

    public static string ValidQueue(string name) => Validate(name, MaxQueueNameLength, "queue");

    public static string ValidTopic(string name) => Validate(name, MaxTopicNameLength, "topic");

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
