using System.Text;
using MassTransit;
using MassTransit.Middleware;
using MassTransit.Transports;
using Shop.Messaging.AmazonSqs.Topology;
using Shop.Messaging.AmazonSqs.Transport.Configuration;

namespace Shop.Messaging.AmazonSqs.Transport;

/// <summary>
/// Sends to one queue (SQS SendMessageBatch) or publishes to one topic (SNS PublishBatch). The body is MassTransit's
/// JSON envelope; a body over <see cref="AmazonSqsTransportOptions.ClaimCheckThreshold"/> is stored in blob storage and
/// travels as a reference. Delays up to SQS's 15 minutes use DelaySeconds; longer ones are refused with the reason
/// rather than cut short (the durable scheduler serves them).
/// </summary>
public sealed class AmazonSqsSendTransportContext : BaseSendTransportContext, SendTransportContext<PipeContext>
{
    public static readonly TimeSpan MaxDelay = TimeSpan.FromMinutes(15);

    readonly AmazonSqsTransportContext _transport;
    readonly AmazonSqsEndpointAddress _address;

    public AmazonSqsSendTransportContext(AmazonSqsHostConfiguration hostConfiguration, ReceiveEndpointContext context,
        AmazonSqsEndpointAddress address)
        : base(hostConfiguration, context.Serialization)
    {
        _transport = hostConfiguration.Transport;
        _address = address;
    }

    public override string EntityName => _address.Name;

    public override string ActivitySystem => _address.IsTopic ? "aws_sns" : "aws_sqs";

    public override async Task<SendContext<T>> CreateSendContext<T>(T message, IPipe<SendContext<T>> pipe,
        CancellationToken cancellationToken)
    {
        var context = new AmazonSqsSendContext<T>(message, cancellationToken);
        await pipe.Send(context).ConfigureAwait(false);
        return context;
    }

    public Task<SendContext<T>> CreateSendContext<T>(PipeContext context, T message, IPipe<SendContext<T>> pipe,
        CancellationToken cancellationToken) where T : class =>
        CreateSendContext(message, pipe, cancellationToken);

    public async Task Send<T>(PipeContext transportContext, SendContext<T> sendContext) where T : class
    {
        var context = sendContext as AmazonSqsSendContext<T>
            ?? throw new ArgumentException("The send context was not created by the SQS/SNS transport.", nameof(sendContext));
        var cancellationToken = context.CancellationToken;
        cancellationToken.ThrowIfCancellationRequested();

        var fifo = AmazonSqsEntityNames.IsFifo(_address.Name);
        var delaySeconds = DelaySeconds(context.Delay, fifo);

        var options = _transport.Options;
        var body = context.Body.GetBytes();
        string? reference = null;
        string text;
        if (body.Length > options.ClaimCheckThreshold && options.ClaimCheck)
        {
            reference = await ClaimCheck.StoreAsync(_transport, context.MessageId ?? NewId.NextGuid(), body, cancellationToken);
            text = reference;
        }
        else if (body.Length > MaxBodyBytes)
            throw new NotSupportedException(
                $"A message body of {body.Length} bytes is over the SQS/SNS limit of 256 KiB, and the claim check is off " +
                "(Messaging:AmazonSqs:ClaimCheck=false).");
        else
            text = Encoding.UTF8.GetString(body);

        var message = new SqsOutgoingMessage(text, SqsTransportHeaders.ToAttributes(context, reference, options.PackHeaders),
            delaySeconds, fifo ? GroupId(context, options.FifoIdDefaults) : null,
            fifo ? DeduplicationId(context, options.FifoIdDefaults) : null);

        if (_address.IsTopic)
        {
            // The address holds the topic's literal name (scope included), as the official transport's does.
            var topicArn = await _transport.GetTopicArnAsync(_address.Name, cancellationToken).ConfigureAwait(false);
            await _transport.Publisher(topicArn).PublishAsync(message, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            var queue = await _transport.GetQueueAsync(_address.Name, cancellationToken).ConfigureAwait(false);
            await _transport.Sender(queue).SendAsync(message, cancellationToken).ConfigureAwait(false);
        }
    }

    public Task Send(IPipe<PipeContext> pipe, CancellationToken cancellationToken = default) =>
        pipe.Send(new Context(cancellationToken));

    public void Probe(ProbeContext context)
    {
        context.Add("entity", _address.Name);
        context.Add("type", _address.IsTopic ? "topic" : "queue");
    }

    /// <summary>SQS and SNS take at most 256 KiB (body and attributes).</summary>
    public const int MaxBodyBytes = 256 * 1024;

    /// <summary>
    /// The FIFO group: the one set on the send (<c>GroupId</c>, else MassTransit's partition key); with
    /// <paramref name="defaults"/> the correlation id, else <c>default</c>. Without, null: as MassTransit.AmazonSQS sends it.
    /// </summary>
    static string? GroupId<T>(AmazonSqsSendContext<T> context, bool defaults) where T : class =>
        NonEmpty(context.GroupId) ?? NonEmpty(context.PartitionKey)
        ?? (defaults ? context.CorrelationId?.ToString("D") ?? "default" : null);

    static string? DeduplicationId<T>(AmazonSqsSendContext<T> context, bool defaults) where T : class =>
        NonEmpty(context.DeduplicationId) ?? (defaults ? (context.MessageId ?? NewId.NextGuid()).ToString("D") : null);

    static string? NonEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;

    int? DelaySeconds(TimeSpan? delay, bool fifo)
    {
        if (delay is not { } value || value <= TimeSpan.Zero)
            return null;
        if (_address.IsTopic)
            throw new NotSupportedException(
                $"SNS cannot delay a publish to '{_address.Name}' ({value}); schedule it with the message scheduler.");
        if (fifo)
            throw new NotSupportedException(
                $"FIFO queue '{_address.Name}' has no per-message delay ({value}); schedule it with the message scheduler.");
        if (value > MaxDelay && !_transport.Options.RefuseLongDelays)
            return (int)MaxDelay.TotalSeconds;
        if (value > MaxDelay)
            throw new NotSupportedException(
                $"SQS delays stop at 15 minutes; a delay of {value} to '{_address.Name}' must go through the durable " +
                "message scheduler (IMessageScheduler), which has no such limit.");
        return (int)Math.Ceiling(value.TotalSeconds);
    }

    sealed class Context(CancellationToken cancellationToken) : BasePipeContext(cancellationToken), PipeContext;
}
