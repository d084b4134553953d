using Shop.Messaging.AmazonSqs.Topology;

namespace Shop.Messaging.AmazonSqs.Transport;

/// <summary>
/// Addresses on the SQS/SNS transport, as MassTransit.AmazonSQS writes and reads them: <c>amazonsqs://{region}/{queue}</c>
/// for a queue and <c>amazonsqs://{region}/{topic}?type=topic</c> for a topic, where the name is the literal name of the
/// queue or topic (prefix or scope included), so a response, fault or send address crosses between the two transports
/// unchanged. A host scope in the path (<c>amazonsqs://{region}/{scope}/{queue}</c>, the official transport's form) is
/// accepted: the last segment is the name. The short forms are relative to the environment: <c>queue:name</c> is the
/// queue of endpoint <c>name</c> (the prefix added, as our endpoint names are), <c>topic:name</c> is <c>{scope}_name</c>
/// (MassTransit's rule) and <c>exchange:name</c> is taken as <c>topic:name</c>.
/// </summary>
public readonly record struct AmazonSqsEndpointAddress(string Name, bool IsTopic)
{
    public const string Scheme = "amazonsqs";

    public static AmazonSqsEndpointAddress Parse(Uri address, AmazonSqsEntityNames names)
    {
        switch (address.Scheme.ToLowerInvariant())
        {
            case "queue":
                return new AmazonSqsEndpointAddress(names.Queue(LastSegment(address.AbsolutePath)), false);
            case "topic":
            case "exchange":
                return new AmazonSqsEndpointAddress(names.ShortTopic(LastSegment(address.AbsolutePath)), true);
            case Scheme:
                var isTopic = address.Query.Contains("type=topic", StringComparison.OrdinalIgnoreCase);
                var name = LastSegment(address.AbsolutePath);
                return new AmazonSqsEndpointAddress(
                    isTopic ? AmazonSqsEntityNames.ValidTopic(name) : AmazonSqsEntityNames.ValidQueue(name), isTopic);
            default:
                throw new ArgumentException(
                    $"'{address}' is not an SQS/SNS address (use amazonsqs://region/name, queue:name or topic:name).",
                    nameof(address));
        }
    }

    public Uri ToUri(Uri hostAddress) =>
        new UriBuilder(Scheme, hostAddress.Host) { Path = "/" + Name, Query = IsTopic ? "type=topic" : "" }.Uri;

    static string LastSegment(string path)
    {
        var name = Uri.UnescapeDataString(path.Trim('/'));
        var slash = name.LastIndexOf('/');
        return slash >= 0 ? name[(slash + 1)..] : name;
    }
}
