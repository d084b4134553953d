namespace Shop.Messaging;

/// <summary>The <c>Messaging</c> configuration section, shared by every service.</summary>
public sealed class MessagingOptions
{
    public const string SectionName = "Messaging";

    /// <summary><c>RabbitMq</c> (default), <c>InMemory</c> or <c>AmazonSqs</c>.</summary>
    public string Transport { get; set; } = MessagingTransports.RabbitMq;

    public RabbitMqOptions RabbitMq { get; set; } = new();

    public AmazonSqs.Transport.AmazonSqsTransportOptions AmazonSqs { get; set; } = new();

    public RetryOptions Retry { get; set; } = new();

    /// <summary>Messages fetched ahead of processing per receive endpoint.</summary>
    public int PrefetchCount { get; set; } = 32;

    /// <summary>Messages processed at once per receive endpoint; defaults to the prefetch count.</summary>
    public int? ConcurrentMessageLimit { get; set; }

    /// <summary>How long start-up waits for the broker before the host fails.</summary>
    public TimeSpan StartTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>How long shutdown waits for messages in progress.</summary>
    public TimeSpan StopTimeout { get; set; } = TimeSpan.FromSeconds(30);
}

/// <summary>
/// The <c>Messaging:RabbitMq</c> section. Not named <c>RabbitMqTransportOptions</c>: MassTransit has a type of that
/// name, and every file that configures the bus imports its namespace.
/// </summary>
public sealed class RabbitMqOptions
{
    /// <summary>
    /// An <c>amqp://user:password@host:port/vhost</c> or <c>amqps://…</c> (TLS) URI, read by MassTransit; takes precedence
    /// over <see cref="Host"/>, <see cref="Port"/> and <see cref="VirtualHost"/>. User and password are optional in it.
    /// </summary>
    public string? Url { get; set; }

    public string Host { get; set; } = "localhost";
    public ushort Port { get; set; } = 5672;
    public string VirtualHost { get; set; } = "/";

    /// <summary>Wins over the user in <see cref="Url"/>; <c>guest</c> when neither is given.</summary>
    public string? Username { get; set; }

    /// <summary>Wins over the password in <see cref="Url"/> (keep it in a secret, not in the URL); <c>guest</c> when neither is given.</summary>
    public string? Password { get; set; }

    /// <summary>TLS without a <see cref="Url"/> (with one, its scheme decides: <c>amqps</c>). The broker's certificate is always verified.</summary>
    public bool UseTls { get; set; }

    /// <summary>The name the broker's certificate must carry, when it is not the host name connected to.</summary>
    public string? TlsServerName { get; set; }

    /// <summary>
    /// The delivery limit: a message is handed to the consumers at most this many times; the next delivery is moved
    /// to the endpoint's <c>_error</c> queue with the reason before any consumer sees it. It counts deliveries that
    /// ended without an acknowledgement (the process died, hung or stopped), across restarts
    /// (docs/messaging.md#delivery-limit). 0 turns it off.
    /// </summary>
    public int DeliveryLimit { get; set; } = 10;

    /// <summary>
    /// How the deliveries are counted. <c>false</c> (the default): endpoint queues stay classic, and a redelivered
    /// message is re-published once to its own queue with the count in a header before a consumer sees it.
    /// <c>true</c>: endpoint queues are quorum queues and the broker counts (<c>x-delivery-count</c>, with
    /// <c>x-delivery-limit</c> as a backstop); then every send to an endpoint must address it as <c>exchange:name</c>,
    /// since MassTransit declares the queue of a <c>queue:name</c> address as a classic one, which a quorum queue refuses.
    /// </summary>
    public bool QuorumQueues { get; set; }
}

/// <summary>
/// Layered retry: immediate exponential retries inside one delivery for transient faults, then redelivery
/// through the scheduler after longer pauses, then the <c>_error</c> queue and a <c>Fault&lt;T&gt;</c>.
/// </summary>
public sealed class RetryOptions
{
    public int ImmediateLimit { get; set; } = 5;
    public TimeSpan ImmediateMinInterval { get; set; } = TimeSpan.FromMilliseconds(100);
    public TimeSpan ImmediateMaxInterval { get; set; } = TimeSpan.FromSeconds(5);
    public TimeSpan ImmediateIntervalDelta { get; set; } = TimeSpan.FromMilliseconds(200);

    public bool RedeliveryEnabled { get; set; } = true;

    /// <summary>Pauses before each redelivery (configuration replaces the default list rather than adding to it).</summary>
    public TimeSpan[]? RedeliveryIntervals { get; set; }

    internal TimeSpan[] EffectiveRedeliveryIntervals =>
        !RedeliveryEnabled ? [] : RedeliveryIntervals is { Length: > 0 } intervals ? intervals : DefaultRedeliveryIntervals;

    static readonly TimeSpan[] DefaultRedeliveryIntervals = [TimeSpan.FromSeconds(30), TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(30)];
}

public static class MessagingTransports
{
    public const string RabbitMq = "RabbitMq";
    public const string InMemory = "InMemory";
    public const string AmazonSqs = "AmazonSqs";
}
