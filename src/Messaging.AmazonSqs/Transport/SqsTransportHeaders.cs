using System.Globalization;
using System.Text.Json;
using MassTransit;

namespace Shop.Messaging.AmazonSqs.Transport;

/// <summary>
/// Maps transport headers to SQS/SNS message attributes and back. SQS and SNS reject a message with more than ten
/// attributes, so the first nine go as attributes of their own (content type and ids first, where another MassTransit
/// client looks for them) and whatever does not fit travels packed as JSON in one more attribute. Nothing is dropped.
/// </summary>
public static class SqsTransportHeaders
{
    public const int MaxAttributes = 10;
    public const string ContentType = "Content-Type";
    public const string BodyReference = "Shop-Body-Reference";
    public const string Overflow = "Shop-Headers";

    /// <summary>The attributes of one outgoing message, in the order they are kept.</summary>
    /// <param name="pack">
    /// False: headers that do not fit are left out instead of packed into <see cref="Overflow"/> (for official receivers,
    /// which would not unpack them; an envelope holds every header in its body anyway).
    /// </param>
    public static List<KeyValuePair<string, string>> ToAttributes(SendContext context, string? bodyReference, bool pack = true)
    {
        var all = new List<KeyValuePair<string, string>>();
        var contentType = context.ContentType?.ToString();
        if (contentType is not null)
            Add(all, ContentType, contentType);
        if (bodyReference is not null)
            Add(all, BodyReference, bodyReference);

        // An envelope carries the ids itself; repeating them as attributes cost every message about a fifth more
        // processor time (attributes are hashed by SQS and checked by the SDK on each send and receive).
        if (!IsEnvelope(contentType))
        {
            if (context.MessageId is { } messageId)
                Add(all, MessageHeaders.MessageId, messageId.ToString("D"));
            if (context.CorrelationId is { } correlationId)
                Add(all, MessageHeaders.CorrelationId, correlationId.ToString("D"));
            if (context.ConversationId is { } conversationId)
                Add(all, MessageHeaders.ConversationId, conversationId.ToString("D"));
        }

        foreach (var header in context.Headers.GetAll())
        {
            if (header.Value is null || all.Exists(x => x.Key == header.Key)) continue;
            if (Format(header.Value) is { } text)
                Add(all, header.Key, text);
        }

        return Fit(all, pack);
    }

    /// <summary>Moves a received message on (error and skipped queues): its headers plus <paramref name="extra"/>.</summary>
    public static List<KeyValuePair<string, string>> ToAttributes(IEnumerable<KeyValuePair<string, string>> received,
        IEnumerable<KeyValuePair<string, object>> extra, bool pack = true)
    {
        var all = new List<KeyValuePair<string, string>>();
        foreach (var header in received)
            Add(all, header.Key, header.Value);
        foreach (var header in extra)
        {
            if (header.Value is null) continue;
            all.RemoveAll(x => x.Key == header.Key);
            if (Format(header.Value) is { } text)
                Add(all, header.Key, text);
        }

        return Fit(all, pack);
    }

    /// <summary>The headers of a received message: every attribute, the packed ones unpacked.</summary>
    public static Dictionary<string, string> FromAttributes(IEnumerable<KeyValuePair<string, string>> attributes)
    {
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (name, value) in attributes)
        {
            if (name == Overflow)
            {
                foreach (var (packedName, packedValue) in JsonSerializer.Deserialize<Dictionary<string, string>>(value) ?? [])
                    headers.TryAdd(packedName, packedValue);
                continue;
            }

            headers[name] = value;
        }

        return headers;
    }

    /// <summary>
    /// Whether a body of <paramref name="contentType"/> is one of MassTransit's envelopes (JSON, XML, BSON, encrypted),
    /// which hold the message, correlation and conversation ids and every header; raw JSON and bodies of other
    /// producers hold none of them.
    /// </summary>
    public static bool IsEnvelope(string? contentType) =>
        contentType is not null && contentType.StartsWith("application/vnd.masstransit+", StringComparison.OrdinalIgnoreCase);

    static List<KeyValuePair<string, string>> Fit(List<KeyValuePair<string, string>> all, bool pack)
    {
        if (all.Count <= MaxAttributes && all.TrueForAll(IsValidAttribute))
            return all;

        // Attribute names are restricted and values may not be empty; such headers travel packed as well.
        var direct = new List<KeyValuePair<string, string>>(MaxAttributes);
        var packed = new Dictionary<string, string>();
        foreach (var header in all)
        {
            if (direct.Count < (pack ? MaxAttributes - 1 : MaxAttributes) && IsValidAttribute(header))
                direct.Add(header);
            else
                packed[header.Key] = header.Value;
        }

        if (pack)
            direct.Add(new(Overflow, JsonSerializer.Serialize(packed)));
        return direct;
    }

    static void Add(List<KeyValuePair<string, string>> all, string name, string value) => all.Add(new(name, value));

    static bool IsValidAttribute(KeyValuePair<string, string> header) =>
        header.Value.Length > 0
        && header.Key.Length is > 0 and <= 256
        && header.Key.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.')
        && !header.Key.StartsWith('.') && !header.Key.EndsWith('.') && !header.Key.Contains("..", StringComparison.Ordinal)
        && !header.Key.StartsWith("AWS.", StringComparison.OrdinalIgnoreCase)
        && !header.Key.StartsWith("Amazon.", StringComparison.OrdinalIgnoreCase);

    static string? Format(object value) => value switch
    {
        string text => text,
        DateTimeOffset time => time.ToString("O", CultureInfo.InvariantCulture),
        DateTime time => time.ToString("O", CultureInfo.InvariantCulture),
        Uri uri => uri.ToString(),
        bool flag => flag ? bool.TrueString : bool.FalseString,
        IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
        _ => null,
    };
}
