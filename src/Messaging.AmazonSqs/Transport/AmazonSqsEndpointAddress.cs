namespace Shop.Messaging.AmazonSqs.Transport;

/// <summary>
/// Addresses on the SQS/SNS transport: <c>amazonsqs://{region}/{queue}</c> for a queue and
/// <c>amazonsqs://{region}/{topic}?type=topic</c> for a topic. Names are without the environment prefix, which is applied
/// when a resource is touched, so addresses stay the same in every environment. MassTransit's short forms
/// <c>queue:name</c>, <c>topic:name</c> and <c>exchange:name</c> are accepted.
/// </summary>
public readonly record struct AmazonSqsEndpointAddress(string Name, bool IsTopic)
{
    public const string Scheme = "amazonsqs";

    public static AmazonSqsEndpointAddress Parse(Uri address)
    {
        switch (address.Scheme)
        {
            case "queue":
                return new AmazonSqsEndpointAddress(Bare(address.AbsolutePath), false);
            case "topic":
            case "exchange":
                return new AmazonSqsEndpointAddress(Bare(address.AbsolutePath), true);
            case Scheme:
                var isTopic = address.Query.Contains("type=topic", StringComparison.OrdinalIgnoreCase);
                return new AmazonSqsEndpointAddress(Bare(address.AbsolutePath), isTopic);
            default:
                throw new ArgumentException(
                    $"'{address}' is not an SQS/SNS address (use amazonsqs://region/name, queue:name or topic:name).",
                    nameof(address));
        }
    }

    public Uri ToUri(Uri hostAddress) =>
        new(hostAddress, IsTopic ? $"{Name}?type=topic" : Name);

    static string Bare(string path)
    {
        var name = Uri.UnescapeDataString(path.Trim('/'));
        var slash = name.LastIndexOf('/');
        return slash >= 0 ? name[(slash + 1)..] : name;
    }
}
