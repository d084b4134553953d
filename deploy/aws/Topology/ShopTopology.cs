using Shop.Messaging.AmazonSqs.Topology;

namespace Shop.Deploy.Aws.Topology;

/// <summary>One receive endpoint of a service: its queue (before the prefix) and the message types it subscribes to.</summary>
/// <param name="SubscribesToTopics">False for queues written by something other than the bus (S3 notifications).</param>
public sealed record EndpointTopology(string Name, IReadOnlyList<Type> ConsumedMessageTypes, bool SubscribesToTopics);

/// <summary>What one service receives, publishes and sends, as the deployment needs to know it.</summary>
/// <param name="SendsTo">Endpoint names of other services' queues this service sends commands to.</param>
public sealed record ServiceTopology(
    ShopService Service,
    IReadOnlyList<EndpointTopology> Endpoints,
    IReadOnlyList<Type> Publishes,
    IReadOnlyList<string> SendsTo)
{
    /// <summary>
    /// Every message type this service may publish: what its code publishes, plus the <c>Fault&lt;T&gt;</c> MassTransit
    /// publishes when a consumer of <c>T</c> gives up.
    /// </summary>
    public IEnumerable<Type> PublishedMessageTypes => Publishes
        .Concat(Endpoints.Where(e => e.SubscribesToTopics).SelectMany(e => e.ConsumedMessageTypes)
            .Select(type => typeof(MassTransit.Fault<>).MakeGenericType(type)))
        .Distinct();
}

/// <summary>The whole shop's SQS/SNS topology, named with the transport's own naming code.</summary>
public sealed class ShopTopology(IReadOnlyList<ServiceTopology> services, AmazonSqsEntityNames names)
{
    public IReadOnlyList<ServiceTopology> Services { get; } = services;

    public AmazonSqsEntityNames Names { get; } = names;

    public ServiceTopology this[ShopService service] => Services.Single(s => s.Service == service);

    /// <summary>Every message type with a topic: what is published and what is subscribed to.</summary>
    public IReadOnlyList<Type> TopicMessageTypes => Services
        .SelectMany(s => s.PublishedMessageTypes
            .Concat(s.Endpoints.Where(e => e.SubscribesToTopics).SelectMany(e => e.ConsumedMessageTypes)))
        .Distinct()
        .OrderBy(type => Names.Topic(type), StringComparer.Ordinal)
        .ToList();

    public ServiceTopology OwnerOf(string endpointName) =>
        Services.Single(s => s.Endpoints.Any(e => e.Name == endpointName));
}
