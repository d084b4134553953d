namespace Shop.Messaging.AmazonSqs.Topology;

/// <param name="Attributes">The queue's attributes when it was found or created (empty when unknown).</param>
public sealed record SqsQueue(string Name, string Url, string Arn, IReadOnlyDictionary<string, string> Attributes)
{
    public SqsQueue(string name, string url, string arn) : this(name, url, arn, new Dictionary<string, string>())
    {
    }

    /// <summary>The queue's own visibility timeout, if known: a message in progress is extended before it lapses.</summary>
    public TimeSpan? VisibilityTimeout =>
        Attributes.TryGetValue("VisibilityTimeout", out var value) && int.TryParse(value, System.Globalization.CultureInfo.InvariantCulture, out var seconds)
            ? TimeSpan.FromSeconds(seconds) : null;

    // Equal by location: the attributes are a snapshot.
    public bool Equals(SqsQueue? other) => other is not null && (Name, Url, Arn) == (other.Name, other.Url, other.Arn);

    public override int GetHashCode() => HashCode.Combine(Name, Url, Arn);
}

/// <summary>What <see cref="AmazonSqsTopologyProvisioner.EnsureReceiveEndpointAsync"/> created or found for one receive endpoint.</summary>
public sealed record ReceiveEndpointTopology(
    SqsQueue Queue,
    SqsQueue ErrorQueue,
    SqsQueue SkippedQueue,
    IReadOnlyDictionary<Type, string> TopicArns,
    IReadOnlyList<string> SubscriptionArns);
