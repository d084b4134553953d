using MassTransit;
using MassTransit.Middleware;
using MassTransit.Serialization;

namespace Shop.Messaging.EntityFrameworkCore.Storage;

/// <summary>
/// A serialized send or publish waiting to be delivered, one row per message. The columns of its
/// <see cref="OutboxUnit"/> (id, due time, schedule token, attempts) are repeated on each message of the unit and
/// change together; the unit's first remaining row (lowest <see cref="SequenceNumber"/>) is the one delivery locks.
/// </summary>
public sealed class OutboxMessage : OutboxMessageContext
{
    Headers? _headers;
    IReadOnlyDictionary<string, object>? _properties;

    public Guid OutboxId { get; set; }

    /// <summary>Position within its outbox; delivery follows it.</summary>
    public long SequenceNumber { get; set; }

    public DateTime Created { get; set; }

    /// <summary>Not delivered before this time: now for ordinary messages, the scheduled time, the end of the writer's lease, or the next attempt after a failure.</summary>
    public DateTime DueTime { get; set; }

    /// <summary>Set for scheduled messages so they can be cancelled.</summary>
    public Guid? ScheduleTokenId { get; set; }

    public int Attempts { get; set; }
    public string? LastError { get; set; }

    public Guid MessageId { get; set; }
    public string ContentType { get; set; } = null!;
    public string MessageType { get; set; } = null!;
    public string Body { get; set; } = null!;
    public string? Headers { get; set; }

    /// <summary>Transport-specific properties (routing key, priority, group id ...), as JSON.</summary>
    public string? Properties { get; set; }

    public Guid? ConversationId { get; set; }
    public Guid? CorrelationId { get; set; }
    public Guid? InitiatorId { get; set; }
    public Guid? RequestId { get; set; }
    public Uri? SourceAddress { get; set; }
    public Uri? DestinationAddress { get; set; }
    public Uri? ResponseAddress { get; set; }
    public Uri? FaultAddress { get; set; }
    public DateTime SentTime { get; set; }
    public DateTime? ExpirationTime { get; set; }

    /// <summary>Not stored: the unit a writer recorded this message in, while it holds it in memory.</summary>
    public OutboxUnit? Unit { get; internal set; }

    Guid? MessageContext.MessageId => MessageId;
    DateTime? MessageContext.SentTime => SentTime;
    Headers MessageContext.Headers => _headers ?? EmptyHeaders.Instance;
    HostInfo MessageContext.Host => MassTransit.Metadata.HostMetadataCache.Host;
    IReadOnlyDictionary<string, object> OutboxMessageContext.Properties => _properties ?? EmptyProperties;

    static readonly IReadOnlyDictionary<string, object> EmptyProperties = new Dictionary<string, object>();

    /// <summary>Restores headers and properties before the message is handed back to a transport.</summary>
    internal void Hydrate(IObjectDeserializer deserializer)
    {
        var headers = deserializer.DeserializeDictionary<object?>(Headers);
        _headers = headers is null ? EmptyHeaders.Instance : new DictionarySendHeaders(headers);
        _properties = deserializer.DeserializeDictionary<object>(Properties) ?? EmptyProperties;
    }
}
