using MassTransit;
using Shop.Messaging.AmazonSqs.Transport;

namespace Shop.Messaging;

/// <summary>
/// The delivery limit of every receive endpoint, checked before any consumer runs. A message that takes its process
/// down (or hangs it, or is given back at a stop) is never acknowledged; the broker hands it out again, and the count of
/// such deliveries has to outlive the process: SQS keeps it in <c>ApproximateReceiveCount</c>, RabbitMQ's quorum queues
/// in <c>x-delivery-count</c>, and on RabbitMQ's classic queues we keep it in the message itself
/// (<see cref="ClassicQueueRedelivery"/>). A message delivered <paramref name="rabbitMqLimit"/> (or
/// <paramref name="amazonSqsLimit"/>) times without a result faults here instead of being handed to its consumer again,
/// and so goes to the endpoint's <c>_error</c> queue with the reason in its fault headers. The in-memory transport
/// counts nothing and passes through.
/// </summary>
public sealed class DeliveryLimitFilter(int rabbitMqLimit, int amazonSqsLimit) : IFilter<ConsumeContext>
{
    public const string RabbitMqDeliveryCountHeader = "x-delivery-count";

    public Task Send(ConsumeContext context, IPipe<ConsumeContext> next)
    {
        // Not async: nearly every delivery is a first one and goes straight on, without a state machine of its own.
        var receive = context.ReceiveContext;
        if (EarlierDeliveries(receive) is var (earlier, limit) && limit > 0 && earlier >= limit)
            return Task.FromException(new DeliveryLimitExceededException(earlier, limit));

        if (rabbitMqLimit > 0 && ClassicQueueRedelivery.IsUncounted(receive))
        {
            var counted = ClassicQueueRedelivery.EarlierDeliveries(receive) + 1;
            return counted >= rabbitMqLimit
                ? Task.FromException(new DeliveryLimitExceededException(counted, rabbitMqLimit))
                : RequeueCounted(context, receive, counted);
        }

        return next.Send(context);
    }

    /// <summary>The copy carries the count; this delivery is done (acknowledged) without reaching a consumer.</summary>
    static async Task RequeueCounted(ConsumeContext context, ReceiveContext receive, long counted)
    {
        await ClassicQueueRedelivery.Requeue(receive, counted);
        await receive.NotifyConsumed(new MassTransit.Context.MessageConsumeContext<RequeuedWithDeliveryCount>(context, new RequeuedWithDeliveryCount(counted)),
            receive.ElapsedTime, nameof(DeliveryLimitFilter));
    }

    /// <summary>How many deliveries of this message ended without a result, as the broker counted them, and the limit.</summary>
    (long Earlier, int Limit)? EarlierDeliveries(ReceiveContext context)
    {
        // The SQS transport's receive context is the payload itself; looking it up in the payload cache (a lock and a
        // walk of a list) for every message of every other transport cost more than the rest of this filter. Only a
        // redelivered message can have earlier deliveries to count, so a wrapped context is looked up only then.
        if (AmazonSqs(context) is { } sqs)
            return (sqs.ReceiveCount - 1, amazonSqsLimit);

        if (context.TransportHeaders.TryGetHeader(RabbitMqDeliveryCountHeader, out var value) && value is not null)
        {
            try
            {
                return (Convert.ToInt64(value, System.Globalization.CultureInfo.InvariantCulture), rabbitMqLimit);
            }
            catch (Exception e) when (e is FormatException or InvalidCastException or OverflowException)
            {
                return null;
            }
        }

        return null;
    }

    static AmazonSqsReceiveContext? AmazonSqs(ReceiveContext context) =>
        context as AmazonSqsReceiveContext
        ?? (context.Redelivered && context.TryGetPayload<AmazonSqsReceiveContext>(out var wrapped) ? wrapped : null);

    public void Probe(ProbeContext context)
    {
        var scope = context.CreateFilterScope("deliveryLimit");
        scope.Add("rabbitMq", rabbitMqLimit);
        scope.Add("amazonSqs", amazonSqsLimit);
    }
}

/// <summary>What the receive observers are told was consumed when a redelivery was re-published with its count.</summary>
public sealed record RequeuedWithDeliveryCount(long EarlierDeliveries);

/// <summary>The fault of a message that used up its deliveries: the reason it is in the error queue.</summary>
public sealed class DeliveryLimitExceededException(long earlierDeliveries, int limit) : Exception(
    $"Delivered {earlierDeliveries + 1} times: the {earlierDeliveries} deliveries before this one ended without a result " +
    $"(the process died, hung or stopped while handling it), and the delivery limit is {limit}. The message is parked " +
    "in the error queue instead of being delivered again; see docs/messaging.md#delivery-limit.")
{
    public long EarlierDeliveries { get; } = earlierDeliveries;
    public int Limit { get; } = limit;
}
