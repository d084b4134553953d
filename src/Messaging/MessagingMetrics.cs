using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Shop.Messaging;

/// <summary>
/// The bus's own instruments on the <c>Shop.Messaging</c> meter, named after OpenTelemetry's messaging conventions:
/// how long a consumer takes per message type (<c>messaging.process.duration</c>) and how many messages end in an
/// <c>_error</c> queue.
/// </summary>
public sealed class MessagingMetrics
{
    readonly Histogram<double> _processDuration;
    readonly Counter<long> _errorQueued;

    public MessagingMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(ShopMessagingDiagnostics.MeterName);
        _processDuration = meter.CreateHistogram<double>("messaging.process.duration", "s",
            "Time a consumer took for one message, by endpoint and message type; failures carry error.type",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10] });
        _errorQueued = meter.CreateCounter<long>("shop.messaging.error_queue.moved", "{message}",
            "Messages moved to their endpoint's _error queue after retries and redeliveries gave up, by endpoint, message type and error");
    }

    /// <summary>False without a listener (no exporter configured): consumers are then not timed at all.</summary>
    public bool ProcessDurationObserved => _processDuration.Enabled;

    public void Processed(Uri inputAddress, string messageType, TimeSpan duration, Exception? error)
    {
        var tags = Tags(inputAddress, messageType, error);
        _processDuration.Record(duration.TotalSeconds, tags);
    }

    public void MovedToErrorQueue(Uri inputAddress, string messageType, Exception? error) =>
        _errorQueued.Add(1, Tags(inputAddress, messageType, error));

    static TagList Tags(Uri inputAddress, string messageType, Exception? error)
    {
        var tags = new TagList
        {
            { "messaging.system", SystemName(inputAddress) },
            { "messaging.destination.name", inputAddress.AbsolutePath.Split('/', StringSplitOptions.RemoveEmptyEntries).LastOrDefault() ?? "" },
            { "messaging.operation.name", "process" },
            { "shop.message.type", messageType },
        };
        if (error is not null)
            tags.Add("error.type", error.GetType().FullName);
        return tags;
    }

    static string SystemName(Uri address) => address.Scheme switch
    {
        "rabbitmq" or "rabbitmqs" => "rabbitmq",
        "amazonsqs" => "aws_sqs",
        "loopback" => "in_memory",
        var scheme => scheme,
    };

    /// <summary>The short name of a message type from its URN (<c>urn:message:Shop.Contracts.Orders:OrderSubmitted</c>).</summary>
    public static string ShortName(string? messageTypeUrn) =>
        messageTypeUrn is null ? "unknown" : messageTypeUrn[(messageTypeUrn.LastIndexOf(':') + 1)..];
}
