using System.Data.Common;
using System.Net.Sockets;
using MassTransit;

namespace Shop.Messaging;

/// <summary>
/// The last step before the error queue: a message that failed because the service's database could not be reached
/// goes back to its queue instead. Such a failure says nothing about the message, and while the database is down its
/// redelivery cannot be scheduled either (the scheduler keeps its schedule in that database), so without this a
/// database restart would park every message in flight. Returned, it is delivered again: on SQS and quorum queues the
/// broker counts that delivery against the delivery limit, on classic RabbitMQ queues it is not counted. Faults of any
/// other kind go on to the error queue as before.
/// </summary>
public sealed class ReturnToQueueWhileDatabaseIsDownFilter : IFilter<ExceptionReceiveContext>
{
    // connection_exception (class 08), admin_shutdown, crash_shutdown, cannot_connect_now, too_many_connections
    static readonly string[] UnavailableStates = ["57P01", "57P02", "57P03", "53300"];

    public async Task Send(ExceptionReceiveContext context, IPipe<ExceptionReceiveContext> next)
    {
        if (!IsDatabaseUnavailable(context.Exception))
        {
            await next.Send(context);
            return;
        }

        // On a classic RabbitMQ queue a returned message would come back flagged as redelivered, and the delivery
        // limit would count an outage against the message: a copy with its count unchanged goes back instead.
        if (context.TryGetPayload<RabbitMqBasicConsumeContext>(out _)
            && !context.TransportHeaders.TryGetHeader(DeliveryLimitFilter.RabbitMqDeliveryCountHeader, out _))
        {
            await ClassicQueueRedelivery.Requeue(context, ClassicQueueRedelivery.EarlierDeliveries(context));
            return;
        }

        throw new TransientException("The service's database is unreachable; the message goes back to its queue.", context.Exception);
    }

    public void Probe(ProbeContext context) => context.CreateFilterScope("returnToQueueWhileDatabaseIsDown");

    public static bool IsDatabaseUnavailable(Exception? exception)
    {
        for (var current = exception; current is not null; current = current.InnerException)
        {
            if (current is AggregateException aggregate && aggregate.InnerExceptions.Any(IsDatabaseUnavailable))
                return true;
            if (current is DbException { SqlState: { } state } && (state.StartsWith("08", StringComparison.Ordinal) || UnavailableStates.Contains(state)))
                return true;
            if (current is DbException && current.InnerException is SocketException or IOException or TimeoutException)
                return true;
        }

        return false;
    }
}
