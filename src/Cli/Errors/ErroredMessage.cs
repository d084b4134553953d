using System.Globalization;
using System.Text.Json;
using MassTransit;

namespace Shop.Cli.Errors;

/// <summary>One message in an endpoint's <c>_error</c> queue, with what its fault headers and envelope say about it.</summary>
public sealed record ErroredMessage(
    string Endpoint,
    string? MessageId,
    string? MessageType,
    string? Reason,
    string? ExceptionType,
    string? ExceptionMessage,
    DateTimeOffset? FirstFaultedAt,
    DateTimeOffset? LastFaultedAt,
    int RedeliveryCount,
    int ReplayCount,
    IReadOnlyDictionary<string, string> Headers,
    string Body)
{
    /// <summary>Set on a replayed message: how many times it has been replayed.</summary>
    public const string ReplayCountHeader = "Shop-Replay-Count";

    /// <summary>Set on a replayed message: when it first faulted, so that a second fault does not hide the first.</summary>
    public const string FirstFaultedHeader = "Shop-First-Faulted";

    /// <summary>
    /// Reads a message off an error queue: ids and type from the MassTransit envelope when the body is one (else from
    /// the transport), the fault from MassTransit's <c>MT-Fault-*</c> headers.
    /// </summary>
    public static ErroredMessage Read(string endpoint, IReadOnlyDictionary<string, string> headers, string body, string? transportMessageId)
    {
        string? messageId = transportMessageId, messageType = null;
        if (headers.TryGetValue("Content-Type", out var contentType) && contentType.StartsWith("application/vnd.masstransit+json", StringComparison.OrdinalIgnoreCase))
        {
            try
            {
                using var envelope = JsonDocument.Parse(body);
                var root = envelope.RootElement;
                if (root.TryGetProperty("messageId", out var id) && id.ValueKind == JsonValueKind.String)
                    messageId = id.GetString();
                if (root.TryGetProperty("messageType", out var types) && types.ValueKind == JsonValueKind.Array && types.GetArrayLength() > 0)
                    messageType = types[0].GetString();
            }
            catch (JsonException)
            {
                // A body that claims to be an envelope and is not: shown as it is, with the transport's id.
            }
        }

        messageId ??= Get(headers, MessageHeaders.MessageId);
        messageType ??= Get(headers, MessageHeaders.MessageType) ?? Get(headers, MessageHeaders.FaultMessageType);
        var lastFaulted = Time(Get(headers, MessageHeaders.FaultTimestamp));
        return new ErroredMessage(endpoint, messageId, messageType,
            Get(headers, MessageHeaders.Reason),
            Get(headers, MessageHeaders.FaultExceptionType),
            Get(headers, MessageHeaders.FaultMessage),
            Time(Get(headers, FirstFaultedHeader)) ?? lastFaulted,
            lastFaulted,
            Number(Get(headers, MessageHeaders.RedeliveryCount)),
            Number(Get(headers, ReplayCountHeader)),
            headers, body);
    }

    /// <summary>
    /// The headers a replayed message goes back with: the fault's removed (exception, reason, host, redelivery count,
    /// which would count against the endpoint's redelivery policy again), the replay count raised, the first fault kept.
    /// </summary>
    public Dictionary<string, string> ReplayHeaders()
    {
        var replay = Headers.Where(h => !IsFaultHeader(h.Key)).ToDictionary(h => h.Key, h => h.Value, StringComparer.OrdinalIgnoreCase);
        replay[ReplayCountHeader] = (ReplayCount + 1).ToString(CultureInfo.InvariantCulture);
        if (FirstFaultedAt is { } first)
            replay[FirstFaultedHeader] = first.ToString("O", CultureInfo.InvariantCulture);
        return replay;
    }

    public static bool IsFaultHeader(string name) =>
        name.StartsWith("MT-Fault-", StringComparison.OrdinalIgnoreCase)
        || name.StartsWith("MT-Host-", StringComparison.OrdinalIgnoreCase)
        || name.Equals(MessageHeaders.Reason, StringComparison.OrdinalIgnoreCase)
        || name.Equals(MessageHeaders.RedeliveryCount, StringComparison.OrdinalIgnoreCase);

    public bool Matches(string id) => string.Equals(MessageId, id, StringComparison.OrdinalIgnoreCase);

    static string? Get(IReadOnlyDictionary<string, string> headers, string name) => headers.TryGetValue(name, out var value) ? value : null;

    static DateTimeOffset? Time(string? value) =>
        DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time) ? time : null;

    static int Number(string? value) => int.TryParse(value, CultureInfo.InvariantCulture, out var number) ? number : 0;
}

public sealed record ErrorQueue(string Endpoint, string Queue, long Depth);

/// <summary>What a replay did: replayed (or, dry, would replay) and what was left in the error queue.</summary>
public sealed record ReplayOutcome(int Replayed, int Left);

/// <summary>The error queues of one transport.</summary>
public interface IErrorQueues : IAsyncDisposable
{
    /// <summary>Error queues with their depth; one endpoint's, or every one.</summary>
    Task<IReadOnlyList<ErrorQueue>> ListAsync(string? endpoint, CancellationToken cancellationToken);

    /// <summary>Up to <paramref name="limit"/> messages of an endpoint's error queue, left where they are.</summary>
    Task<IReadOnlyList<ErroredMessage>> PeekAsync(string endpoint, int limit, CancellationToken cancellationToken);

    /// <summary>
    /// Moves the selected messages back to the endpoint's queue, each one sent there (and confirmed) before it is removed
    /// from the error queue: a failure or a kill in between may leave it in both, never in neither. Only the messages
    /// there when the replay starts are looked at, so one that faults again is not replayed twice in one run.
    /// </summary>
    Task<ReplayOutcome> ReplayAsync(string endpoint, Func<ErroredMessage, bool> select, bool dryRun,
        Action<ErroredMessage> replayed, CancellationToken cancellationToken);

    /// <summary>Deletes every message of the endpoint's error queue; returns how many there were.</summary>
    Task<long> PurgeAsync(string endpoint, CancellationToken cancellationToken);
}
