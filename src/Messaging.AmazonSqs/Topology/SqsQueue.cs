namespace Shop.Messaging.AmazonSqs.Topology;

public sealed record SqsQueue(string Name, string Url, string Arn);

/// <summary>What <see cref="AmazonSqsTopologyProvisioner.EnsureReceiveEndpointAsync"/> created or found for one receive endpoint.</summary>
public sealed record ReceiveEndpointTopology(
    SqsQueue Queue,
    SqsQueue ErrorQueue,
    SqsQueue SkippedQueue,
    IReadOnlyDictionary<Type, string> TopicArns,
    IReadOnlyList<string> SubscriptionArns);
