using Amazon.SQS.Model;
using MassTransit;
using MassTransit.Serialization;
using MassTransit.Transports;

namespace Shop.Messaging.AmazonSqs.Transport;

/// <summary>A received SQS message; its headers are the message attributes (with the packed ones unpacked).</summary>
public sealed class AmazonSqsReceiveContext : BaseReceiveContext, PartitionKeyConsumeContext
{
    readonly Dictionary<string, object> _headers;

    public AmazonSqsReceiveContext(Message message, byte[] body, IReadOnlyDictionary<string, string> headers,
        bool redelivered, AmazonSqsReceiveEndpointContext receiveEndpointContext)
        : base(redelivered, receiveEndpointContext)
    {
        TransportMessage = message;
        Headers = headers;
        _headers = headers.ToDictionary(x => x.Key, x => (object)x.Value, StringComparer.OrdinalIgnoreCase);
        Body = new BytesMessageBody(body);
        PartitionKey = message.Attributes?.GetValueOrDefault("MessageGroupId");
    }

    /// <summary>The message as SQS delivered it (a claim-checked body is the reference here).</summary>
    public Message TransportMessage { get; }

    public IReadOnlyDictionary<string, string> Headers { get; }

    public string? PartitionKey { get; }

    /// <summary>SQS's <c>ApproximateReceiveCount</c>: 1 on the first receive; it survives the death of a receiver.</summary>
    public int ReceiveCount => ReceiveCountOf(TransportMessage);

    internal static int ReceiveCountOf(Message message) =>
        message.Attributes?.TryGetValue("ApproximateReceiveCount", out var count) == true
        && int.TryParse(count, System.Globalization.CultureInfo.InvariantCulture, out var n) ? n : 1;

    protected override IHeaderProvider HeaderProvider => new DictionaryHeaderProvider(_headers);

    public override MessageBody Body { get; }
}
